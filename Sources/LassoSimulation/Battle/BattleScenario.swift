import Lasso

extension Battle {
    /// What a battle runs: chains of simulated providers, workloads, chaos on a schedule and the
    /// SLOs the run is judged by. A fluent value: every builder returns a changed copy.
    public struct Scenario: Sendable {
        public var name: String
        /// One line for `lassod battle --list` and the report.
        public var summary: String
        public var chains: [ChainSetup] = []
        public var workloads: [Workload] = []
        public var subscriptions: [SubscriptionWorkload] = []
        public var chaos: [Chaos] = []
        public var slos: [SLO] = []
        /// How long the load runs.
        public var durationMs: Int = 10_000
        /// Seeds every random choice (method mix, random tree nodes), so a run can be repeated.
        public var seed: UInt64 = 1
        /// Top-level lassod config YAML added to the generated config (e.g. `subscriptions: {…}`).
        public var lassoSettings: String = ""
        /// lassod's `circuit_breaker` for the run (nil: lassod's defaults, or what `lassoSettings` says).
        public var circuitBreaker: CircuitBreakerConfig?

        public init(_ name: String, summary: String = "") {
            self.name = name
            self.summary = summary
        }

        public func chain(_ key: String, chainID: UInt64 = 1, blockTimeMs: UInt64 = 2_000,
                          providers: [ProviderSetup], probeIntervalMs: Int? = nil) -> Scenario {
            var copy = self
            copy.chains.append(ChainSetup(key: key, chainID: chainID, blockTimeMs: blockTimeMs, providers: providers,
                                          probeIntervalMs: probeIntervalMs))
            return copy
        }

        public func workload(_ workload: Workload) -> Scenario {
            var copy = self
            copy.workloads.append(workload)
            return copy
        }

        public func subscriptions(_ workload: SubscriptionWorkload) -> Scenario {
            var copy = self
            copy.subscriptions.append(workload)
            return copy
        }

        public func circuitBreaker(_ breaker: CircuitBreakerConfig) -> Scenario {
            var copy = self
            copy.circuitBreaker = breaker
            return copy
        }

        public func chaos(_ chaos: Chaos) -> Scenario {
            var copy = self
            copy.chaos.append(chaos)
            return copy
        }

        public func slo(_ slo: SLO) -> Scenario {
            var copy = self
            copy.slos.append(slo)
            return copy
        }

        public func duration(ms: Int) -> Scenario {
            var copy = self
            copy.durationMs = ms
            return copy
        }

        public func seed(_ seed: UInt64) -> Scenario {
            var copy = self
            copy.seed = seed
            return copy
        }

        public func settings(_ yaml: String) -> Scenario {
            var copy = self
            copy.lassoSettings = yaml
            return copy
        }

        /// The chain set up as `key`.
        public func chainSetup(_ key: String) -> ChainSetup? {
            chains.first { $0.key == key }
        }

        /// Runs the scenario (see `Runner`) and, when `reportDirectory` is given, writes the report there.
        public func run(reportDirectory: String? = nil) async throws -> Report {
            let report = try await Runner(scenario: self).run()
            if let reportDirectory { try Reporter.write(report, to: reportDirectory) }
            return report
        }
    }
}
