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

        /// lassod's config for `scenario`, its providers at `urls` (by id): every request and
        /// event logged, the scenario's settings and breaker policy, and `ws_url`s on the chains
        /// a subscription workload uses (HTTP-only elsewhere, so HTTP scenarios route as before).
        static func lassoConfig(for scenario: Scenario, urls: [String: (http: String, ws: String)]) throws -> LassoConfig {
            var yaml = """
                observability: {log_level: debug, sampling_rate: 1.0}
                \(scenario.lassoSettings)
                chains:

                """
            for setup in scenario.chains {
                let subscribed = scenario.subscriptions.contains { $0.chain == setup.key }
                yaml += "  \(setup.key):\n    chain_id: \(setup.chainID)\n    block_time_ms: \(setup.blockTimeMs)\n"
                if let probe = setup.probeIntervalMs { yaml += "    monitoring: {probe_interval_ms: \(probe)}\n" }
                yaml += "    providers:\n"
                for (index, provider) in setup.providers.enumerated() {
                    let url = urls[provider.id]
                    let ws = subscribed ? ", ws_url: \"\(url?.ws ?? "")\"" : ""
                    yaml += "      - {id: \(provider.id), priority: \(index + 1), url: \"\(url?.http ?? "")\"\(ws)}\n"
                }
            }
            var config = try LassoConfig.parse(yaml: yaml, environment: [:])
            config.benchmarks.persistencePath = ""
            if let breaker = scenario.circuitBreaker { config.circuitBreaker = breaker }
            return config
        }

        func run() async throws -> Report {
            guard !scenario.chains.isEmpty, scenario.chains.allSatisfy({ !$0.providers.isEmpty }) else {
                throw Invalid(description: "scenario \(scenario.name) needs at least one chain with a provider")
            }
            for chain in scenario.workloads.map(\.chain) + scenario.subscriptions.map(\.chain)
            where scenario.chainSetup(chain) == nil {
                throw Invalid(description: "workload on chain \(chain), which the scenario does not set up")
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
            var urls: [String: (http: String, ws: String)] = [:]
            for setup in scenario.chains {
                let chain = SimulatedChain(chainID: setup.chainID, blockIntervalMs: setup.blockTimeMs, start: start,
                                           headAtStart: 1_000_000)
                chains[setup.key] = chain
                for providerSetup in setup.providers {
                    let provider = SimulatedProvider(id: providerSetup.id, chain: chain, behavior: providerSetup.baseline)
                    let server = try SimulatedProviderServer(provider: provider, loop: loop, clock: runtime.clock)
                    servers.append(server)
                    providers[provider.id] = provider
                    urls[provider.id] = (server.url, server.webSocketURL)
                }
            }
            let config = try Self.lassoConfig(for: scenario, urls: urls)
            let collector = Collector()
            let application = try await LassoApplication.start(config: config, runtime: runtime, sink: collector, port: 0)
            let control = TreeControl(application: application, configPath: nil)
            let wholeTree = Set(ChaosDriver.paths(of: await control.tree()).map(\.0))
            let client = HTTPClient(loop: loop, configuration: {
                var configuration = HTTPClient.Configuration()
                configuration.connectionsPerUpstream = max(64, scenario.workloads.map(\.concurrency).reduce(0, +))
                return configuration
            }())
            let end = RunEnd(durationMs: scenario.durationMs)
            let chaos = ChaosDriver(scenario: scenario, providers: providers, control: control, collector: collector,
                                    wholeTree: wholeTree, end: end)
            try await Self.waitForWebSockets(of: scenario, application: application, collector: collector)
            let cpuAtStart = Self.processCPUSeconds()
            collector.markStart(.now)
            let runtimeAtStart = runtime.clock.now()
            // Subscribers connect and subscribe first: their streams are live before any fault.
            var subscribers: [Subscribers] = []
            defer { for group in subscribers { group.stop() } }
            for workload in scenario.subscriptions {
                let group = try Subscribers(workload: workload, loop: loop, port: application.port, collector: collector)
                subscribers.append(group)
                group.start()
            }
            for group in subscribers where await !group.waitUntilSubscribed(withinMs: 10_000) {
                let refusals = group.refusals()
                throw Invalid(description: "subscribers of \(group.workload.chain) not all subscribed within 10 s"
                              + (refusals.isEmpty ? "" : ": " + refusals.joined(separator: "; ")))
            }
            let samples = await withTaskGroup(of: [Observations.Sample].self) { group in
                for (index, workload) in scenario.workloads.enumerated() {
                    guard let chain = chains[workload.chain] else { continue }
                    let load = Load(workload: workload, url: "http://127.0.0.1:\(application.port)\(workload.path)",
                                    chain: chain, client: client, clock: runtime.clock, seed: scenario.seed,
                                    collector: collector, end: end)
                    group.addTask { await load.run(workloadIndex: index) }
                }
                group.addTask { await chaos.run(); return [] }
                if !subscribers.isEmpty {
                    // Subscribers listen for the whole run, whatever else finishes early.
                    group.addTask {
                        while collector.elapsedMs() < end.ms {
                            try? await Task.sleep(for: .milliseconds(Int((end.ms - collector.elapsedMs()).rounded(.up)) + 1))
                        }
                        return []
                    }
                }
                var samples: [Observations.Sample] = []
                for await part in group { samples += part }
                return samples
            }
            let measuredMs = collector.elapsedMs()
            let cpuSeconds = Self.processCPUSeconds() - cpuAtStart
            var truth: [String: Observations.ChainTruth] = [:]
            for group in subscribers {
                guard let chain = chains[group.workload.chain] else { continue }
                truth[group.workload.chain] = await Self.settle(group, chain: chain, clock: runtime.clock,
                                                                 runtimeAtStart: runtimeAtStart)
            }
            // Taken before lassod stops, which would drop every client's socket.
            let streams = subscribers.flatMap { $0.streams() }
            for group in subscribers { group.stop() }
            client.shutdown()
            await application.stop()
            var observations = Observations(durationMs: max(end.ms, measuredMs))
            observations.cpuSeconds = cpuSeconds
            observations.samples = samples.sorted { $0.startMs < $1.startMs }
            (observations.routed, observations.supervision) = collector.parsed()
            chaos.observations(into: &observations)
            observations.streams = streams
            observations.truth = truth
            observations.subscriptionEvents = collector.subscriptionEvents()
            return Analyzer.analyze(observations, scenario: scenario)
        }

        /// Waits (10 s at most) until every provider of a chain with subscribers has its
        /// WebSocket up in lassod: a subscription needs one.
        static func waitForWebSockets(of scenario: Scenario, application: LassoApplication, collector: Collector) async throws {
            let deadline = collector.elapsedMs() + 10_000
            for chain in Set(scenario.subscriptions.map(\.chain)) {
                guard let board = application.services.directory.board(for: chain) else { continue }
                while !board.snapshot.providers.allSatisfy({ $0.ws != nil }) {
                    guard collector.elapsedMs() < deadline else {
                        throw Invalid(description: "the WebSockets of \(chain)'s providers did not come up within 10 s")
                    }
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
        }

        /// After the load: the head now is the last block every stream must reach. Waits (at
        /// most 10 s, or 10 block times if longer) until every client has it and the chain's
        /// last matching log up to it, then returns what the chain made over the streams' blocks.
        static func settle(_ group: Subscribers, chain: SimulatedChain, clock: any RuntimeClock,
                           runtimeAtStart: RuntimeInstant) async -> Observations.ChainTruth {
            let through = chain.head(at: clock.now())
            let first = group.streams().compactMap { $0.events.first?.block }.min() ?? through
            let from = min(first, through) &- 1
            var truth = Observations.ChainTruth(blockHashes: [:], through: through)
            for block in from...through {
                truth.blockHashes[block] = chain.blockHash(block)
                let made = Int64(chain.instant(whenHeadReaches: block).nanoseconds) - Int64(runtimeAtStart.nanoseconds)
                truth.producedAtMs[block] = Double(made) / 1e6
                if group.workload.logs {
                    let logs = chain.logs(inBlock: block, matching: SubscriptionWorkload.transfers).map(\.logIndex)
                    if !logs.isEmpty { truth.logs[block] = logs }
                }
            }
            let lastLogBlock = truth.logs.keys.max() ?? 0
            _ = await group.waitUntil(withinMs: max(10_000, 10 * Double(chain.blockIntervalMs))) { heads, logs in
                heads.contains { $0.block >= through } && (!group.workload.logs || logs.contains { $0.block >= lastLogBlock })
            }
            return truth
        }
    }
}
