import Supervision
import LassoTransport

/// `HTTPClientPool`: the process that owns lassod's upstream `HTTPClient` — its keep-alive
/// connections, DNS cache and requests in flight (Finch's role in the seed).
///
/// Each incarnation makes a fresh client and publishes it in the `HTTPClientHandle` that the
/// HTTP upstream sender reads per request, so requests never pass through this mailbox.
///
/// After a crash or a kill the old client stays published until the next incarnation
/// replaces it and shuts it down: its requests in flight then fail as `clientClosed`, which
/// the sender reports as `abandoned` — the pipeline fails over, onto the new client, which is
/// already in place, without counting it against the provider's breaker (lassod's restart,
/// not the provider's fault) — and its connections close. Requests made from then on use the
/// new client; none finds the handle empty in between. A normal stop (lassod shutting down)
/// withdraws the client and shuts it down at once.
public struct HTTPClientPool: GenServer {
    public enum Call: Sendable {
        /// The client this incarnation owns (tests compare incarnations).
        case client
    }

    public typealias Reply = HTTPClient

    let handle: HTTPClientHandle
    private let client: HTTPClient

    init(group: EventLoopGroup, configuration: HTTPClient.Configuration, handle: HTTPClientHandle) {
        self.handle = handle
        client = HTTPClient(group: group, configuration: configuration)
    }

    /// The permanent worker `HTTPClientPool`, publishing into `handle`.
    public static func childSpec(group: EventLoopGroup, configuration: HTTPClient.Configuration,
                                 handle: HTTPClientHandle) -> ChildSpec {
        ChildSpec(id: "HTTPClientPool") { runtime in
            try await ServerRef.start(label: "HTTPClientPool", runtime: runtime) {
                HTTPClientPool(group: group, configuration: configuration, handle: handle)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        handle.replace(with: client)?.shutdown()
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> HTTPClient {
        client
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        guard reason.isNormal else { return }
        handle.withdraw(client)
        client.shutdown()
    }
}
