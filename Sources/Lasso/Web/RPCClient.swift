/// Who sent a request, as far as the answer depends on it: how the client reached lassod (for
/// the request's log line), the routing metadata it asked for, and the host it addressed.
public struct RPCClient: Sendable {
    /// HTTP POST or a client WebSocket frame.
    public var transport: TransportKind
    /// `?include_meta=` (or `X-Lasso-Include-Meta`); `.none` over a WebSocket.
    public var meta: ClientMetadata.Mode
    /// The `Host` header of an HTTP request, as sent: it only names the WebSocket URL an
    /// `eth_subscribe` over HTTP is referred to, and is sanitized there (`SubscriptionOverHTTP`).
    public var host: String?

    public init(transport: TransportKind, meta: ClientMetadata.Mode = .none, host: String? = nil) {
        self.transport = transport
        self.meta = meta
        self.host = host
    }

    /// A client WebSocket: no metadata (a frame has no headers to carry it).
    public static let webSocket = RPCClient(transport: .ws)
}
