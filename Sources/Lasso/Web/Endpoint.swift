import Supervision

/// The tree's `Endpoint`: the process that owns lassod's HTTP listener.
///
/// Starting it binds the port (a bind failure fails the start, with the reason). Stopping it
/// drains: the listening socket closes at once (new connections are refused), requests already
/// received finish and their replies are written, idle keep-alive connections are closed, and
/// only then — or after `drainTimeout`, when what is left is cut — does `terminate` return. It is
/// the last child of `Application`, so at shutdown it stops first: the chains keep serving the
/// requests in flight while the listener winds down, and stop only after it. Its child spec's
/// shutdown timeout is the drain timeout plus a margin, so the supervisor never abandons a drain
/// that is still within its deadline. Requests themselves never pass through its mailbox: the
/// listener calls the route handlers on the event-loop thread.
public struct Endpoint: GenServer {
    public enum Call: Sendable {
        /// The port actually bound (useful with port 0).
        case port
    }
    public typealias Reply = Int

    /// How long a stop waits for requests in flight unless told otherwise.
    public static let defaultDrainTimeout = Duration.seconds(10)
    /// Added to the drain timeout for the supervisor's shutdown timeout.
    static let shutdownMargin = Duration.seconds(5)

    let loop: EventLoop
    let configuration: HTTPServer.Configuration
    let router: HTTPRouter
    let drainTimeout: Duration
    private var server: HTTPServer?

    public init(loop: EventLoop, configuration: HTTPServer.Configuration, router: HTTPRouter,
                drainTimeout: Duration = Endpoint.defaultDrainTimeout) {
        self.loop = loop
        self.configuration = configuration
        self.router = router
        self.drainTimeout = drainTimeout
    }

    public static func childSpec(loop: EventLoop, configuration: HTTPServer.Configuration, router: HTTPRouter,
                                 names: ProcessNames, drainTimeout: Duration = Endpoint.defaultDrainTimeout) -> ChildSpec {
        ChildSpec(id: "Endpoint", shutdown: .timeout(drainTimeout + shutdownMargin), name: names.name("Endpoint")) { runtime in
            try await ServerRef.start(label: "Endpoint", runtime: runtime) {
                Endpoint(loop: loop, configuration: configuration, router: router, drainTimeout: drainTimeout)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        server = try HTTPServer(loop: loop, configuration: configuration, router: router)
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Int {
        server?.port ?? 0
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        await server?.drain(within: drainTimeout)
        server = nil
    }
}
