import Supervision

/// `HTTPClientPool`: the process that owns lassod's upstream `HTTPClient` — its keep-alive
/// connections, DNS cache and requests in flight (Finch's role in the seed).
///
/// Each incarnation makes a fresh client and publishes it in the `HTTPClientHandle` that the
/// HTTP upstream sender reads per request, so requests never pass through this mailbox. When
/// it stops, or when a new incarnation replaces one that was killed without running
/// `terminate`, the old client is shut down: its requests in flight fail as
/// `connectionClosed`, which the pipeline classifies as a provider fault and fails over,
/// and its connections close. Requests made from then on use the new client.
public struct HTTPClientPool: GenServer {
    public enum Call: Sendable {
        /// The client this incarnation owns (tests compare incarnations).
        case client
    }

    public typealias Reply = HTTPClient

    let loop: EventLoop
    let configuration: HTTPClient.Configuration
    let handle: HTTPClientHandle
    private let client: HTTPClient

    init(loop: EventLoop, configuration: HTTPClient.Configuration, handle: HTTPClientHandle) {
        self.loop = loop
        self.configuration = configuration
        self.handle = handle
        client = HTTPClient(loop: loop, configuration: configuration)
    }

    /// The permanent worker `HTTPClientPool`, publishing into `handle`.
    public static func childSpec(loop: EventLoop, configuration: HTTPClient.Configuration,
                                 handle: HTTPClientHandle) -> ChildSpec {
        ChildSpec(id: "HTTPClientPool") { runtime in
            try await ServerRef.start(label: "HTTPClientPool", runtime: runtime) {
                HTTPClientPool(loop: loop, configuration: configuration, handle: handle)
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
        handle.withdraw(client)
        client.shutdown()
    }
}
