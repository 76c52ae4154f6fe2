/// The tree's transport routing: each request's channel is resolved in `ChannelRoutes` (what
/// the chains' `TransportRegistry` processes publish) with one lock read; HTTP channels go to
/// the HTTP sender, WebSocket channels to their provider's connected `WSConnection` process.
/// A channel with no route fails as `connectionClosed`, so the pipeline fails over.
public final class ChannelSender: UpstreamSender {
    let http: any UpstreamSender
    let routes: ChannelRoutes

    public init(http: any UpstreamSender, routes: ChannelRoutes) {
        self.http = http
        self.routes = routes
    }

    public func send(_ request: [UInt8], chain: String, over channel: Channel, timeout: Duration,
                     completion: @escaping @Sendable (UpstreamReply) -> Void) {
        switch routes.route(chain: chain, channel: channel) {
        case .http?:
            http.send(request, chain: chain, over: channel, timeout: timeout, completion: completion)
        case .ws(let connection)?:
            connection.cast(.send(body: request, timeout: timeout, completion: completion))
        case nil:
            completion(.failure(.connectionClosed))
        }
    }
}
