import Lasso

extension Battle {
    /// The built-in scenarios of `lassod battle`, each at a chosen duration (chaos intervals
    /// shrink with it, so a short run still sees every fault more than once).
    public enum Catalog {
        /// Name and one-line description of each built-in, runnable or not.
        public static let entries: [(name: String, summary: String)] = [
            ("http-failover", "3 providers (10/20/30 ms), the one lassod is serving from (the fastest at first) killed every "
                + "30 s (shorter runs: a third of the run) for a third of the interval, breakers half-open after that third, "
                + "probes every 200 ms, 50 clients; SLO success 1.0, p95 ≤ 50 ms above the slowest simulated latency"),
            ("flap", "the first of 3 providers killed for 1 s every 3 s, 20 clients on the priority strategy, breakers "
                + "half-open after 500 ms, probes every 200 ms (so it is back in rotation between kills; each kill waits until it is); SLO success 1.0, "
                + "p95 ≤ 100 ms above simulated"),
            ("degrade", "the fastest of 3 turns slow (400 ms) and erroring in turn, 20 clients on the fastest strategy; "
                + "SLO success 1.0, traffic off it within 5 s"),
            ("rate-limit", "the first of 3 answers 429 with Retry-After: 2, 20 clients; SLO success 1.0, "
                + "no client request reaches it once lassod knows, until Retry-After runs out"),
            ("chain-restart", "chain base restarted every 10 s (shorter runs: a third) while 20 clients load ethereum; "
                + "SLO success 1.0 on ethereum"),
            ("tree-chaos", "a random node of ethereum's chain subtree killed every 2 s under 20 clients; SLO success 1.0 "
                + "(3 healthy providers throughout), the tree whole again within 5 s of each kill"),
            ("ws-failover", "100 WebSocket clients on newHeads and a filtered logs key, 3 providers, blocks every 250 ms; "
                + "the provider carrying the subscriptions killed every 20 s (shorter runs: a third of the run) for a third "
                + "of the interval, breakers half-open after that third; SLO no block or log missing or twice, every "
                + "stream in order and parent-linked, failover p99 ≤ 2 block times"),
        ]

        /// Built-ins that cannot run yet, and why.
        public static let unavailable: [String: String] = [:]

        /// ws-failover's block time: short, so that a run of seconds sees many blocks per fault.
        static let wsBlockTimeMs: UInt64 = 250

        static let three = [ProviderSetup(id: "sim_fast", latencyMs: 10), ProviderSetup(id: "sim_mid", latencyMs: 20),
                            ProviderSetup(id: "sim_slow", latencyMs: 30)]

        /// The built-in `name` running `durationMs` with `seed`; nil for an unknown or unavailable name.
        public static func scenario(named name: String, durationMs: Int, seed: UInt64 = 1) -> Scenario? {
            let summary = entries.first { $0.name == name }?.summary ?? ""
            let base = Scenario(name, summary: summary).duration(ms: durationMs).seed(seed)
            let fastest = Chaos.Target.fastest(chain: "ethereum")
            switch name {
            case "http-failover":
                // `serving`, not `fastest`: lassod's fastest strategy remembers a killed provider's
                // failures and stays on the next one, so killing the fastest again would hit nothing.
                // Breakers half-open by the kill's end and probes every 200 ms bring a restored
                // provider back before the next kill; with lassod's defaults (60 s, 12 s) the third
                // kill would find every breaker open (docs/battle.md).
                let every = min(30_000, durationMs / 3)
                return base.chain("ethereum", providers: three, probeIntervalMs: 200)
                    .workload(Workload(chain: "ethereum", concurrency: 50))
                    .chaos(.kill(.serving(chain: "ethereum"), at: every / 3, every: every, restoreAfter: every / 3))
                    .circuitBreaker(CircuitBreakerConfig(recoveryTimeout: .milliseconds(max(100, every / 3))))
                    .slo(.successRate(atLeast: 1.0))
                    .slo(.p95AboveSimulated(atMostMs: 50, chain: "ethereum"))
                    .slo(.minimumRequests(100))
            case "flap":
                // Each kill must meet the provider in rotation: breakers half-open after 500 ms and
                // probes every 200 ms give them their trials (lassod's defaults, 60 s and 12 s, would
                // keep it out for the whole run), and `priority` sends traffic back to it once its
                // breaker closes (`fastest` remembers its failures and would stay away). A flap's
                // kill also waits for it (a slow host can take longer than the 2 s between kills).
                return base.chain("ethereum", providers: three, probeIntervalMs: 200)
                    .workload(Workload(chain: "ethereum", concurrency: 20, strategy: "priority"))
                    .chaos(.flap(fastest, at: 1_000, every: 3_000, down: 1_000))
                    .circuitBreaker(CircuitBreakerConfig(recoveryTimeout: .milliseconds(500)))
                    .slo(.successRate(atLeast: 1.0))
                    .slo(.p95AboveSimulated(atMostMs: 100, chain: "ethereum"))
                    .slo(.minimumRequests(100))
            case "degrade":
                return base.chain("ethereum", providers: three)
                    .workload(Workload(chain: "ethereum", concurrency: 20, strategy: "fastest"))
                    .chaos(.degrade(fastest, [.slow(latencyMs: 400), .erroring(.internalError)], stepMs: 500,
                                    at: durationMs / 4))
                    .slo(.successRate(atLeast: 1.0))
                    .slo(.recovery(atMostMs: 5_000))
                    .slo(.minimumRequests(100))
            case "rate-limit":
                return base.chain("ethereum", providers: three)
                    .workload(Workload(chain: "ethereum", concurrency: 20))
                    .chaos(.degrade(.provider("sim_fast"), [.rateLimited(retryAfterSeconds: 2)], stepMs: durationMs,
                                    at: durationMs / 4, restoreAfter: durationMs / 2))
                    .slo(.successRate(atLeast: 1.0))
                    .slo(.retryAfterHonoured(maxRequests: 0))
                    .slo(.minimumRequests(100))
            case "chain-restart":
                let every = min(10_000, durationMs / 3)
                return base.chain("ethereum", providers: three)
                    .chain("base", chainID: 8453, providers: [ProviderSetup(id: "base_sim_1", latencyMs: 10),
                                                              ProviderSetup(id: "base_sim_2", latencyMs: 20)])
                    .workload(Workload(chain: "ethereum", concurrency: 20))
                    .chaos(Chaos(.restartChain("base"), at: every / 2, every: every))
                    .slo(.successRate(atLeast: 1.0, chain: "ethereum"))
                    .slo(.minimumRequests(100))
            case "tree-chaos":
                return base.chain("ethereum", providers: three)
                    .workload(Workload(chain: "ethereum", concurrency: 20))
                    .chaos(Chaos(.killRandomNode(under: "Application/ChainsSupervisor/ChainSupervisor(ethereum)"),
                                 at: 1_000, every: 2_000))
                    .slo(.successRate(atLeast: 1.0))
                    .slo(.treeWhole(withinMs: 5_000))
                    .slo(.minimumRequests(100))
            case "ws-failover":
                // `subscribed` follows the streams to whichever provider carries them now. Each kill
                // drops that provider's sockets (its WebSocket breaker counts the faults); with
                // lassod's 60 s recovery the third kill within a minute could find no WebSocket
                // eligible to carry the streams, so breakers half-open by the kill's end.
                let every = min(20_000, durationMs / 3)
                return base.chain("ethereum", blockTimeMs: wsBlockTimeMs, providers: three, probeIntervalMs: 100)
                    .subscriptions(SubscriptionWorkload(chain: "ethereum", clients: 100, logs: true))
                    .chaos(.kill(.subscribed(chain: "ethereum"), at: every / 3, every: every, restoreAfter: every / 3))
                    .circuitBreaker(CircuitBreakerConfig(recoveryTimeout: .milliseconds(max(100, every / 3))))
                    .slo(.streamGaps(atMost: 0))
                    .slo(.streamDuplicates(atMost: 0))
                    .slo(.streamsInOrder)
                    .slo(.failoverP99(atMostMs: 2 * Double(wsBlockTimeMs)))
            default:
                return nil
            }
        }
    }
}
