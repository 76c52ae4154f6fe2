import Supervision
import Synchronization
import LassoTransport

/// The tree's `Endpoint`: the process that owns lassod's HTTP listener (and, on the same port,
/// the client WebSockets of `ClientWebSocketEndpoint`).
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

    let group: EventLoopGroup
    let configuration: HTTPServer.Configuration
    let router: HTTPRouter
    /// Client WebSockets (`/ws/rpc/…`) on the same port, when given.
    let clientWebSocket: ClientWebSocketEndpoint?
    /// The dashboard's pages (`/ws/dashboard`) on the same port, when given.
    let dashboard: DashboardHub?
    let drainTimeout: Duration
    private var server: HTTPServer?
    /// Shared by the incarnations of one child spec.
    private var listenPort: ListenPort?

    public init(group: EventLoopGroup, configuration: HTTPServer.Configuration, router: HTTPRouter,
                clientWebSocket: ClientWebSocketEndpoint? = nil, dashboard: DashboardHub? = nil,
                drainTimeout: Duration = Endpoint.defaultDrainTimeout) {
        self.group = group
        self.configuration = configuration
        self.router = router
        self.clientWebSocket = clientWebSocket
        self.dashboard = dashboard
        self.drainTimeout = drainTimeout
    }

    /// The child spec. Every incarnation listens on the same port: with port 0 the first one
    /// picks a free port and its restarts bind that one, where clients already connect.
    public static func childSpec(group: EventLoopGroup, configuration: HTTPServer.Configuration, router: HTTPRouter,
                                 clientWebSocket: ClientWebSocketEndpoint? = nil, dashboard: DashboardHub? = nil,
                                 names: ProcessNames, drainTimeout: Duration = Endpoint.defaultDrainTimeout) -> ChildSpec {
        let listenPort = ListenPort(configuration.port)
        return ChildSpec(id: "Endpoint", shutdown: .timeout(drainTimeout + shutdownMargin),
                         name: names.name("Endpoint")) { runtime in
            var configuration = configuration
            configuration.port = listenPort.value
            return try await ServerRef.start(label: "Endpoint", runtime: runtime) { [configuration] in
                var endpoint = Endpoint(group: group, configuration: configuration, router: router,
                                        clientWebSocket: clientWebSocket, dashboard: dashboard,
                                        drainTimeout: drainTimeout)
                endpoint.listenPort = listenPort
                return endpoint
            }.process
        }
    }

    /// The port the endpoint's incarnations share: the configured one until one was bound.
    private final class ListenPort: Sendable {
        private let port: Mutex<Int>

        init(_ port: Int) { self.port = Mutex(port) }

        var value: Int { port.withLock { $0 } }

        /// Records the port an incarnation bound, if none was fixed yet.
        func keep(_ bound: Int) {
            port.withLock { if $0 == 0 { $0 = bound } }
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        // Started without blocking this (cooperative) thread while the loops bind.
        let server = try await HTTPServer.start(group: group, configuration: configuration, router: router,
                                                webSocket: dashboard.map { $0.handlers(other: clientWebSocket?.handlers) }
                                                    ?? clientWebSocket?.handlers)
        clientWebSocket?.serve(server)
        self.server = server
        listenPort?.keep(server.port)
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Int {
        server?.port ?? 0
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        // Client WebSockets are told to go (1001) first: they hold no request a reply is owed to.
        dashboard?.closePages()
        clientWebSocket?.stopServing()
        await server?.drain(within: drainTimeout)
        server = nil
    }
}

extension ProcessNames {
    /// The HTTP endpoint, if it runs.
    public var endpoint: ServerRef<Endpoint>? { server("Endpoint", as: Endpoint.self) }
}
