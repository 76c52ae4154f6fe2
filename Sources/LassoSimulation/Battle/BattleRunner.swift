import Foundation
import Lasso
import LassoTransport
import Supervision

extension Battle {
    /// Runs a scenario: simulated providers on loopback ports, lassod's real tree in-process in
    /// front of them (logging every request and supervision event into a `Collector`), the
    /// workloads and the chaos together for the duration, then everything stopped and analysed.
    struct Runner {
        let scenario: Scenario

        /// CPU time this process has used, all threads.
        static func processCPUSeconds() -> Double {
            var time = timespec()
            guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return 0 }
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }

        /// Problems that stop a scenario from running at all.
        struct Invalid: Error, CustomStringConvertible {
            let description: String
        }

        func run() async throws -> Report {
            guard !scenario.chains.isEmpty, scenario.chains.allSatisfy({ !$0.providers.isEmpty }) else {
                throw Invalid(description: "scenario \(scenario.name) needs at least one chain with a provider")
            }
            for workload in scenario.workloads where scenario.chainSetup(workload.chain) == nil {
                throw Invalid(description: "workload on chain \(workload.chain), which the scenario does not set up")
            }
            let runtime = Runtime()
            let loop = try EventLoop()
            let start = runtime.clock.now()
            var servers: [SimulatedProviderServer] = []
            var providers: [String: SimulatedProvider] = [:]
            var chains: [String: SimulatedChain] = [:]
            defer {
                for server in servers { server.stop() }
                loop.stop()
            }
            var yaml = """
                observability: {log_level: debug, sampling_rate: 1.0}
                \(scenario.lassoSettings)
                chains:

                """
            for setup in scenario.chains {
                let chain = SimulatedChain(chainID: setup.chainID, blockIntervalMs: setup.blockTimeMs, start: start,
                                           headAtStart: 1_000_000)
                chains[setup.key] = chain
                yaml += "  \(setup.key):\n    chain_id: \(setup.chainID)\n    block_time_ms: \(setup.blockTimeMs)\n"
                if let probe = setup.probeIntervalMs { yaml += "    monitoring: {probe_interval_ms: \(probe)}\n" }
                yaml += "    providers:\n"
                for (index, providerSetup) in setup.providers.enumerated() {
                    let provider = SimulatedProvider(id: providerSetup.id, chain: chain, behavior: providerSetup.baseline)
                    let server = try SimulatedProviderServer(provider: provider, loop: loop, clock: runtime.clock)
                    servers.append(server)
                    providers[provider.id] = provider
                    yaml += "      - {id: \(providerSetup.id), priority: \(index + 1), url: \"\(server.url)\"}\n"
                }
            }
            var config = try LassoConfig.parse(yaml: yaml, environment: [:])
            config.benchmarks.persistencePath = ""
            let collector = Collector()
            let application = try await LassoApplication.start(config: config, runtime: runtime, sink: collector, port: 0)
            let control = TreeControl(application: application, configPath: nil)
            let wholeTree = Set(ChaosDriver.paths(of: await control.tree()).map(\.0))
            let client = HTTPClient(loop: loop, configuration: {
                var configuration = HTTPClient.Configuration()
                configuration.connectionsPerUpstream = max(64, scenario.workloads.map(\.concurrency).reduce(0, +))
                return configuration
            }())
            let chaos = ChaosDriver(scenario: scenario, providers: providers, control: control, collector: collector,
                                    wholeTree: wholeTree)
            let cpuAtStart = Self.processCPUSeconds()
            collector.markStart(.now)
            let endMs = Double(scenario.durationMs)
            let samples = await withTaskGroup(of: [Observations.Sample].self) { group in
                for (index, workload) in scenario.workloads.enumerated() {
                    guard let chain = chains[workload.chain] else { continue }
                    let load = Load(workload: workload, url: "http://127.0.0.1:\(application.port)\(workload.path)",
                                    chain: chain, client: client, clock: runtime.clock, seed: scenario.seed,
                                    collector: collector, endMs: endMs)
                    group.addTask { await load.run(workloadIndex: index) }
                }
                group.addTask { await chaos.run(); return [] }
                var samples: [Observations.Sample] = []
                for await part in group { samples += part }
                return samples
            }
            let measuredMs = collector.elapsedMs()
            let cpuSeconds = Self.processCPUSeconds() - cpuAtStart
            client.shutdown()
            await application.stop()
            var observations = Observations(durationMs: max(endMs, measuredMs))
            observations.cpuSeconds = cpuSeconds
            observations.samples = samples.sorted { $0.startMs < $1.startMs }
            (observations.routed, observations.supervision) = collector.parsed()
            chaos.observations(into: &observations)
            return Analyzer.analyze(observations, scenario: scenario)
        }
    }
}
