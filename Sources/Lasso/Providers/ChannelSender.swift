import Supervision
import Synchronization

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

    public func send(_ request: [UInt8], chain: String, over channel: Channel, timeout: Duration, idempotent: Bool,
                     completion: @escaping @Sendable (UpstreamReply) -> Void) {
        switch routes.route(chain: chain, channel: channel) {
        case .http?:
            http.send(request, chain: chain, over: channel, timeout: timeout, idempotent: idempotent, completion: completion)
        case .ws(let connection)?:
            // A request cast to a connection that stops before handling it would never be
            // answered (its mailbox goes with it). The monitor fails it as `abandoned` instead
            // (lassod's restart, not the provider's fault), so the pipeline fails over without
            // counting it against the breaker; the reply and the exit race, the first wins.
            let reply = SingleReply(completion)
            let process = connection.process
            let monitor = process.monitor { _ in reply.resolve(.failure(.abandoned)) }
            connection.cast(.send(body: request, timeout: timeout, completion: { answer in
                process.demonitor(monitor)
                reply.resolve(answer)
            }))
        case nil:
            completion(.failure(.connectionClosed))
        }
    }

    /// Calls its completion with the first reply it is given and ignores the rest.
    private final class SingleReply: Sendable {
        private let completion: Mutex<(@Sendable (UpstreamReply) -> Void)?>

        init(_ completion: @escaping @Sendable (UpstreamReply) -> Void) {
            self.completion = Mutex(completion)
        }

        func resolve(_ reply: UpstreamReply) {
            let completion = self.completion.withLock { slot in
                defer { slot = nil }
                return slot
            }
            completion?(reply)
        }
    }
}
