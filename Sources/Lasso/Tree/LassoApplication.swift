import Supervision
import LassoTransport

/// A running lassod: the supervision tree, the event loops under it, and the HTTP routes.
///
/// ```
/// Application (one for one)
/// ├── PubSub                 subscriber monitors of the PubSub table
/// ├── HTTPClientPool         the upstream HTTPClient (keep-alive connections)
/// ├── BenchmarkStore
/// ├── BenchmarkPersistence   benchmark summary to disk and back
/// ├── ProcessRegistry        keeper of ProcessNames
/// ├── Registry               keeper of ChainDirectory and BreakerDirectory
/// ├── ChainsSupervisor (dynamic)
/// │   └── ChainSupervisor(<chain>) … per configured chain
/// │       ├── ProviderSupervisor(<provider>) → CircuitBreaker(<provider>, http|ws), WSConnection
/// │       ├── ProviderPool
/// │       ├── ProviderHealthMonitor
/// │       ├── TransportRegistry
/// │       ├── UpstreamSubscriptionPool
/// │       ├── StreamSupervisor (dynamic) → StreamCoordinator(<key>) … per subscription key
/// │       └── ClientSubscriptionRegistry
/// ├── ConfigStore (reloads, chain starts and stops, one at a time)
/// ├── DashboardPublisher     pushes the dashboard's state to its pages
/// └── Endpoint (the HTTP listener; client WebSockets at /ws/rpc/…)
/// ```
/// The shared tables (`PubSub`, `ProcessNames`, `ChainDirectory`, `BreakerDirectory`,
/// `HTTPClientHandle`, `BenchmarkStoreHandle`, `SubscriptionTables`) are created here and outlive every incarnation
/// of the processes that own their contents, as ETS tables with an heir would: a restart of any
/// of those processes loses no entry, and the hot path reads them under a lock, never a mailbox.
/// The event loops (`server.event_loops`) are infrastructure beneath the tree, like
/// schedulers: they are created first and stopped last. The endpoint starts last, so requests arrive only once every configured
/// chain runs, and stops first, so shutdown begins by refusing new work.
public final class LassoApplication: Sendable {
    public let runtime: Runtime
    public let configs: CurrentConfig
    public let services: ChainServices
    public let root: Supervisor
    /// Where the running `HTTPClientPool` publishes its client.
    public let clients: HTTPClientHandle
    /// The port the HTTP listener bound.
    public let port: Int
    /// The event loops; the first carries what needs one loop (admin socket, provider WebSockets).
    let group: EventLoopGroup
    var loop: EventLoop { group.primary }
    /// The dashboard's pages, feed and actions (`GET /`, `WS /ws/dashboard`).
    public let dashboard: DashboardHub
    /// The daemon's one logger (JSON lines on stdout): requests, lifecycle and tree events.
    public let logger: Logger
    let eventToken: UInt64

    /// Descriptors lassod needs beside its client connections: upstream connections, listeners,
    /// the admin socket, log and benchmark files.
    static let descriptorHeadroom = 4_096

    /// The open-file limit lassod raises itself to: room for `server.max_connections` and the
    /// headroom, never less than the event loops' default.
    static func openFiles(for server: ServerConfig) -> Int {
        max(EventLoop.Configuration().maxOpenFiles, server.maxConnections + descriptorHeadroom)
    }

    /// The listener settings `server:` asks for; `port` overrides `server.port`.
    static func listenerConfiguration(_ server: ServerConfig, port: Int?, cors: CORSPolicy,
                                      count: ConnectionCount? = nil) -> HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration(host: server.host, port: port ?? server.port)
        configuration.connectionCount = count
        configuration.maxBodyBytes = server.maxBodyBytes
        // Every loop listens and holds its own connections: each enforces its share.
        configuration.maxConnections = server.maxConnectionsPerLoop
        configuration.webSocketMaxQueuedBytes = server.webSocketMaxQueuedBytes
        // The server's own errors (413, 404, 408, …) reach browsers too: marked like any reply.
        configuration.errorResponse = { status, message, request in
            let response = JSONRPCHTTPError.response(status: status, message: message)
            return request.map { cors.decorate(response, for: $0) } ?? response
        }
        return configuration
    }

    /// Starts lassod for `config`. `port` overrides `server.port` (0 picks a free port).
    /// `drainTimeout` bounds how long ``stop()`` lets requests in flight finish; `methodTimeouts`
    /// how long one upstream attempt may take.
    /// - Throws: when the loop cannot start, the port cannot be bound, or a chain cannot start.
    public static func start(config: LassoConfig, runtime: Runtime = .shared, sink: any LogSink = StandardOutputSink(),
                             port: Int? = nil, httpClient clientConfiguration: HTTPClient.Configuration = .init(),
                             drainTimeout: Duration = Endpoint.defaultDrainTimeout,
                             methodTimeouts: MethodTimeouts = .default)
        async throws -> LassoApplication {
        let group = try EventLoopGroup(count: config.server.eventLoops,
                                       configuration: .init(maxOpenFiles: openFiles(for: config.server)))
        let loop = group.primary
        let configs = CurrentConfig(config)
        // Scrubs with the current snapshot's secrets, so keys a reload adds are hidden too.
        let logger = Logger(config: config.observability, sink: sink, secretsOf: configs, region: config.server.region)
        let eventToken = runtime.events.observe { event in
            let level: ObservabilityConfig.LogLevel = switch event.kind {
            case .exited, .killed, .intensityExceeded: .warning
            case .started, .restarted, .stopped: .debug
            }
            logger.log(level, "supervision.\(event.kind.rawValue)",
                       ["supervisor": .string(event.supervisor), "child": event.child.map(LogValue.string) ?? .null,
                        "pid": event.pid.map { .string($0.description) } ?? .null,
                        "reason": event.reason.map(LogValue.string) ?? .null])
        }
        let names = ProcessNames()
        let directory = ChainDirectory()
        let breakers = BreakerDirectory()
        let pubsub = PubSub()
        let clients = HTTPClientHandle()
        let sender = ChannelSender(http: HTTPUpstreamSender(clients: clients))
        let benchmarkStore = BenchmarkStoreHandle()
        let recorder = BatchingAttemptRecorder(loop: loop, benchmarks: benchmarkStore)
        let pipeline = RequestPipeline(sender: sender, recorder: recorder, clock: runtime.clock, timeouts: methodTimeouts)
        let services = ChainServices(directory: directory, breakers: breakers, names: names, sender: sender,
                                     breakerPolicy: CircuitBreakerPolicy(config.circuitBreaker), loop: loop,
                                     pubsub: pubsub, logger: logger, pipeline: pipeline,
                                     subscriptions: config.subscriptions)
        let counters = RequestCounters()
        let dashboard = DashboardHub(configs: configs, names: names, sockets: services.clientSockets,
                                     counters: counters, subscriptions: services.subscriptionTables, logger: logger)
        let rpc = RPCEndpoint(configs: configs, directory: directory, pipeline: pipeline, clock: runtime.clock,
                              observability: logger, counters: counters, observer: dashboard)
        let clientWebSocket = ClientWebSocketEndpoint(names: names, rpc: rpc, sockets: services.clientSockets,
                                                      tables: services.subscriptionTables, configs: configs)
        let cors = CORSPolicy(config.server.cors)
        // Shared by every incarnation of the listener, read by /metrics.
        let connectionCount = ConnectionCount()
        let router = Routes.router(
            rpc: rpc,
            api: APIEndpoint(configs: configs, directory: directory, names: names, clock: runtime.clock,
                             subscriptions: services.subscriptionTables),
            metrics: MetricsEndpoint(configs: configs, directory: directory, counters: counters,
                                     subscriptions: services.subscriptionTables, connections: connectionCount),
            cors: cors, dashboard: dashboard)
        let serverConfiguration = listenerConfiguration(config.server, port: port, cors: cors, count: connectionCount)

        let configuredChains: @Sendable () -> [String] = { configs.config.chains.map(\.key) }
        let stopped = StoppedChains()
        let benchmarks = BenchmarkStoreServer.childSpec(directory: directory, chains: configuredChains, names: names,
                                                        handle: benchmarkStore)
        let chains = ChildSpec(id: "ChainsSupervisor", kind: .supervisor, name: names.name("ChainsSupervisor")) { runtime in
            let supervisor = try await DynamicSupervisor.start(name: "ChainsSupervisor", runtime: runtime)
            do {
                // Every (re)start runs the chains of the config current then, except those an
                // operator stopped: they stay stopped until started again.
                let config = configs.config
                for chain in config.chains where !stopped.contains(chain.key) {
                    try await supervisor.startChild(ChainSupervisor.childSpec(chain: chain,
                                                                              services: services.applying(config)))
                }
            } catch {
                await supervisor.stop()
                throw error
            }
            return supervisor.process
        }
        do {
            let root = try await Supervisor.start(name: "Application", strategy: .oneForOne, children: [
                pubsub.childSpec(),
                HTTPClientPool.childSpec(group: group, configuration: clientConfiguration, handle: clients),
                benchmarks,
                BenchmarkPersistence.childSpec(config: config.benchmarks, names: names, chains: configuredChains,
                                               logger: logger, region: config.server.region),
                names.childSpec(),
                RegistryKeeper.childSpec(id: "Registry", tables: [directory.keptTable, breakers.keptTable]),
                chains,
                ConfigStore.childSpec(configs: configs, services: services, stopped: stopped, logger: logger),
                DashboardPublisher.childSpec(hub: dashboard, pubsub: pubsub, names: names),
                Endpoint.childSpec(group: group, configuration: serverConfiguration, router: router,
                                   clientWebSocket: clientWebSocket, dashboard: dashboard, names: names,
                                   drainTimeout: drainTimeout),
            ], runtime: runtime)
            let bound = (try? await names.endpoint?.call(.port)) ?? 0
            logger.log(.info, "lassod.started", ["version": .string(LassoVersion.string), "host": .string(config.server.host),
                                                 "port": .int(bound), "chains": .int(config.chains.count),
                                                 "max_connections": .int(config.server.maxConnections)])
            // The event loops raised the limit as far as the hard limit let them (more takes
            // privilege): below what max_connections needs, the listeners pause at the limit
            // instead, which an operator should hear about.
            let needed = config.server.maxConnections + descriptorHeadroom
            let inForce = OpenFileLimit.current
            if inForce < needed {
                logger.log(.warning, "server.open_file_limit", ["open_file_limit": .int(inForce), "needed": .int(needed),
                                                                "max_connections": .int(config.server.maxConnections)])
            }
            let application = LassoApplication(runtime: runtime, configs: configs, services: services, root: root,
                                               clients: clients, port: bound, group: group, logger: logger,
                                               eventToken: eventToken, dashboard: dashboard)
            // The dashboard reads the tree and chain status through the admin control, as `lassod ctl` does.
            dashboard.attach(control: TreeControl(application: application, configPath: nil))
            return application
        } catch {
            runtime.events.removeObserver(eventToken)
            logger.flush()
            group.stop()
            throw error
        }
    }

    private init(runtime: Runtime, configs: CurrentConfig, services: ChainServices, root: Supervisor,
                 clients: HTTPClientHandle, port: Int, group: EventLoopGroup, logger: Logger,
                 eventToken: UInt64, dashboard: DashboardHub) {
        self.dashboard = dashboard
        self.clients = clients
        self.runtime = runtime
        self.configs = configs
        self.services = services
        self.root = root
        self.port = port
        self.group = group
        self.logger = logger
        self.eventToken = eventToken
    }

    /// The `ChainsSupervisor`, for starting and stopping chains at run time.
    public func chains() async throws -> DynamicSupervisor? {
        try await root.whichChildren().first { $0.id == "ChainsSupervisor" }?.process.flatMap(DynamicSupervisor.init)
    }

    /// Stops the tree in reverse start order, flushes the logs, stops the loop. The listener goes
    /// first and drains: new connections are refused at once, requests in flight get their
    /// replies (up to the drain timeout) while the chains still run, then the chains stop.
    public func stop() async {
        await root.stop()
        dashboard.detach()
        logger.log(.info, "lassod.stopped")
        runtime.events.removeObserver(eventToken)
        logger.flush()
        group.stop()
    }
}
