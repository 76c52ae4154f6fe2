/// The tree's transport routing (the `TransportRegistry` role): HTTP channels go to the shared
/// HTTP client, WebSocket channels to their provider's `WSConnection` process.
public final class ChannelSender: UpstreamSender {
    let http: any UpstreamSender
    let names: ProcessNames

    public init(http: any UpstreamSender, names: ProcessNames) {
        self.http = http
        self.names = names
    }

    public func send(_ request: [UInt8], chain: String, over channel: Channel, timeout: Duration,
                     completion: @escaping @Sendable (UpstreamReply) -> Void) {
        switch channel.transport {
        case .http:
            http.send(request, chain: chain, over: channel, timeout: timeout, completion: completion)
        case .ws:
            guard let connection = names.server(WSConnection.processKey(chain: chain, provider: channel.providerID),
                                                as: WSConnection.self) else {
                completion(.failure(.connectionClosed))
                return
            }
            connection.cast(.send(body: request, timeout: timeout, completion: completion))
        }
    }
}
