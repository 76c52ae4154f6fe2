import Supervision
import Synchronization

/// How to reach every channel of every running chain: what each chain's `TransportRegistry`
/// publishes, and what `ChannelSender` reads once per request.
///
/// A reader takes one lock held for a dictionary lookup and never waits on a mailbox. Each
/// chain's routes are replaced whole by its registry, so a reader sees a chain's channels as
/// of one publication.
public final class ChannelRoutes: Sendable {
    /// How a channel is reached.
    public enum Route: Sendable, Equatable {
        /// Through the `HTTPClientPool`'s client, to the provider's `url`.
        case http
        /// Through the provider's connected `WSConnection` process.
        case ws(ServerRef<WSConnection>)
    }

    private let table = Mutex<[String: [Channel: Route]]>([:])

    public init() {}

    /// The route of `channel` on `chain`; `nil` when the channel is not reachable now.
    public func route(chain: String, channel: Channel) -> Route? {
        table.withLock { $0[chain]?[channel] }
    }

    /// Every reachable channel of `chain` with its route.
    public func routes(chain: String) -> [Channel: Route] {
        table.withLock { $0[chain] ?? [:] }
    }

    /// Replaces `chain`'s routes.
    func publish(chain: String, routes: [Channel: Route]) {
        table.withLock { $0[chain] = routes }
    }

    /// Forgets `chain`: it stopped.
    func withdraw(chain: String) {
        _ = table.withLock { $0.removeValue(forKey: chain) }
    }
}
