import Lasso

/// The battle-testing framework: lassod's real tree, in-process, in front of simulated providers
/// on loopback sockets, under HTTP load and scheduled chaos, judged against SLOs from lassod's own
/// request log and supervision events. See docs/battle.md.
///
/// ```swift
/// let report = try await Battle.Scenario("http-failover")
///     .chain("ethereum", providers: [.init(id: "fast", latencyMs: 10), .init(id: "mid", latencyMs: 20)])
///     .workload(Battle.Workload(chain: "ethereum", concurrency: 50))
///     .chaos(.kill(.fastest(chain: "ethereum"), at: 2_000, every: 6_000, restoreAfter: 3_000))
///     .slo(.successRate(atLeast: 1.0))
///     .duration(ms: 20_000)
///     .run(reportDirectory: "battle-reports/http-failover")
/// ```
/// (Compiled, not run, by `LassoSimulationTests/DocExampleTests`.)
public enum Battle {
    /// One simulated provider of a scenario's chain: its id and its normal latency (its
    /// behaviour when no chaos acts on it: `.slow(latencyMs)`, or `.healthy` at 0).
    public struct ProviderSetup: Sendable, Equatable {
        public var id: String
        public var latencyMs: UInt64

        public init(id: String, latencyMs: UInt64 = 0) {
            self.id = id
            self.latencyMs = latencyMs
        }

        /// What the provider does when healthy.
        public var baseline: SimulatedProviderBehavior {
            latencyMs == 0 ? .healthy : .slow(latencyMs: latencyMs)
        }
    }

    /// One chain of a scenario: its key, chain id, block time and providers (priority in order).
    public struct ChainSetup: Sendable, Equatable {
        public var key: String
        public var chainID: UInt64
        public var blockTimeMs: UInt64
        public var providers: [ProviderSetup]
        /// lassod's `monitoring.probe_interval_ms` for the chain (nil: lassod's default). Probes
        /// are what give a half-open breaker its trials while healthy providers take the traffic.
        public var probeIntervalMs: Int?

        public init(key: String, chainID: UInt64 = 1, blockTimeMs: UInt64 = 2_000, providers: [ProviderSetup],
                    probeIntervalMs: Int? = nil) {
            self.key = key
            self.chainID = chainID
            self.blockTimeMs = blockTimeMs
            self.providers = providers
            self.probeIntervalMs = probeIntervalMs
        }

        /// The provider with the lowest normal latency (the first of equals).
        public var fastest: ProviderSetup? {
            providers.min { $0.latencyMs < $1.latencyMs }
        }
    }
}
