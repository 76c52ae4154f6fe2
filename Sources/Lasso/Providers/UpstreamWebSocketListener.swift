/// Who hears what a provider's WebSocket says beyond the replies to its own requests: that it
/// came up or went down, and every other message (subscription notifications). The connection
/// knows only this; the subscription layer above it supplies the listener.
public protocol UpstreamWebSocketListener: Sendable {
    /// `provider`'s socket came up (`true`) or went down.
    func connection(provider: String, up: Bool)
    /// A message from `provider` that answered none of its connection's requests.
    func message(provider: String, body: [UInt8])
}
