import Lasso
import LassoTransport
import Supervision

/// `lassod demo`: lassod in front of simulated providers, all in one process, no network needed.
///
/// Every configured chain gets three simulated providers (`<chain>_sim_1` … `_3`) serving a
/// deterministic chain over HTTP and WebSocket on loopback ports; lassod is configured with them instead of
/// the real providers and serves as usual, so `curl`, web3.py or viem work against it.
public final class LassoDemo: Sendable {
    public let application: LassoApplication
    public let network: SimulatedNetwork
    let servers: [SimulatedProviderServer]
    let loop: EventLoop

    public static func start(config: LassoConfig, runtime: Runtime = .shared, sink: any LogSink = StandardOutputSink(),
                             port: Int? = nil) async throws -> LassoDemo {
        let loop = try EventLoop()
        let now = runtime.clock.now()
        let network = SimulatedNetwork(chains: config.chains, providersPerChain: 3, start: now)
        var servers: [SimulatedProviderServer] = []
        var urls: [String: String] = [:]
        var webSocketURLs: [String: String] = [:]
        do {
            for provider in network.providers {
                let server = try SimulatedProviderServer(provider: provider, loop: loop, clock: runtime.clock)
                servers.append(server)
                urls[provider.id] = server.url
                webSocketURLs[provider.id] = server.webSocketURL
            }
            var demoConfig = config
            demoConfig.chains = network.chainConfigs(httpURL: { urls[$0] ?? "" }, wsURL: { webSocketURLs[$0] })
            // Simulated measurements must not become the real daemon's prior (nor touch its file).
            demoConfig.benchmarks.persistencePath = ""
            demoConfig.benchmarks.dataDir = ""
            let application = try await LassoApplication.start(config: demoConfig, runtime: runtime, sink: sink, port: port)
            return LassoDemo(application: application, network: network, servers: servers, loop: loop)
        } catch {
            for server in servers { server.stop() }
            loop.stop()
            throw error
        }
    }

    private init(application: LassoApplication, network: SimulatedNetwork, servers: [SimulatedProviderServer],
                 loop: EventLoop) {
        self.application = application
        self.network = network
        self.servers = servers
        self.loop = loop
    }

    /// One line per simulated provider: its id and where it listens.
    public var providerLines: [String] {
        servers.map { "  \($0.provider.id)  \($0.url)" }
    }

    /// Stops lassod, then the simulated providers.
    public func stop() async {
        await application.stop()
        await stopProviders()
    }

    /// Stops only the simulated providers (after lassod was stopped some other way).
    public func stopProviders() async {
        for server in servers { server.stop() }
        loop.stop()
    }
}

/// The dashboard's simulator: the page switches the demo's providers between behaviors.
extension LassoDemo: DashboardSimulator {
    public func behaviors() -> [(provider: String, behavior: String)] {
        network.providers.map { ($0.id, $0.behavior.description) }
    }

    public func setBehavior(provider: String, behavior: String) -> String? {
        guard let simulated = network.provider(id: provider) else { return "no simulated provider \(provider)" }
        guard let parsed = SimulatedProviderBehavior(parsing: behavior) else {
            return "unknown behavior \(behavior.prefix(40)); use healthy, down, slow:MS, slow_http:MS, erroring:http, "
                + "erroring:rpc, rate_limited:S, hanging, lagging:N or killed"
        }
        simulated.behavior = parsed
        return nil
    }
}
