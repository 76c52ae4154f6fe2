import Foundation
import Testing
import Lasso
@testable import LassoSimulation

/// Short built-in scenarios against lassod's real tree on loopback sockets, their reports read
/// back and checked; and a broken configuration whose SLO must fail for the right reason. The
/// thresholds are the SLOs' own where they hold on a loaded 2-core machine; latency SLOs are not
/// asserted here (timing), only success, recovery, structure and the broken case.
@Suite(.serialized) struct BattleScenarioTests {
    static func run(_ scenario: Battle.Scenario) async throws -> Battle.Report {
        let directory = NSTemporaryDirectory() + "battle-\(scenario.name)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await scenario.run(reportDirectory: directory)
        let read = try Battle.Reporter.read(from: directory)
        #expect(read == report, "report.json is the report")
        #expect(FileManager.default.fileExists(atPath: directory + "/report.md"))
        return read
    }

    /// A single provider killed under http-failover has nowhere to fail over to: the success SLO
    /// fails, and its verdict names connection failures, not something else.
    @Test func aSingleProviderUnderHTTPFailoverFailsTheSuccessSLO() async throws {
        let scenario = Battle.Scenario("broken-failover")
            .chain("ethereum", providers: [.init(id: "only", latencyMs: 5)])
            .workload(Battle.Workload(chain: "ethereum", concurrency: 4, methods: [(.chainID, 1)]))
            .chaos(.kill(.fastest(chain: "ethereum"), at: 500, restoreAfter: 1_000))
            .slo(.successRate(atLeast: 1.0))
            .duration(ms: 2_500)
        let report = try await Self.run(scenario)
        #expect(!report.passed)
        #expect(report.failedVerdicts.map(\.slo) == ["success rate ≥ 1.0"])
        #expect(report.failures.keys.allSatisfy { $0.hasPrefix("error -32") || $0.hasPrefix("http") },
                "failures are lassod's no-provider errors or refused requests: \(report.failures)")
        #expect(report.faults.map(\.description) == ["kill only"])
        #expect(report.succeeded > 0, "requests before the kill and after the restore succeed")
    }

    @Test func httpFailoverKillingTheServingProviderLosesNoRequest() async throws {
        guard let scenario = Battle.Catalog.scenario(named: "http-failover", durationMs: 6_000, seed: 3) else {
            Issue.record("http-failover is built in")
            return
        }
        let report = try await Self.run(scenario)
        #expect(report.requests >= 100)
        #expect(report.successRate == 1.0, "\(report.failures)")
        // Kills at 0.67, 2.67 and 4.67 s of the provider lassod was serving from: sim_fast first
        // (nothing measured yet, priority decides), then wherever lassod had moved.
        #expect(report.faults.count == 3 && report.faults.first?.description == "kill sim_fast", "\(report.faults)")
        #expect(report.faults.allSatisfy { $0.recoveryMs > 0 }, "each kill hit requests lassod failed over: \(report.faults)")
        #expect(report.failovers >= 3)
        #expect(report.servedBy.count >= 2, "while sim_fast was dead others served: \(report.servedBy)")
    }

    @Test func treeChaosKeepsServingAndTheTreeComesBackWhole() async throws {
        guard let scenario = Battle.Catalog.scenario(named: "tree-chaos", durationMs: 6_000, seed: 5) else {
            Issue.record("tree-chaos is built in")
            return
        }
        let report = try await Self.run(scenario)
        #expect(report.treeChecks.count == 3)
        #expect(report.treeChecks.allSatisfy { $0.wholeAfterMs != nil }, "\(report.treeChecks)")
        #expect(report.restarts.values.reduce(0, +) >= 3, "each kill restarted at least one node: \(report.restarts)")
        #expect(report.successRate == 1.0, "\(report.failures)")
    }

    static func builtIn(_ name: String, seed: UInt64) throws -> Battle.Scenario {
        try #require(Battle.Catalog.scenario(named: name, durationMs: 6_000, seed: seed), "\(name) is built in")
    }

    /// Kills at 1 s and 4 s, 1 s each; breakers retry after 500 ms, so the provider is back in
    /// rotation (with ~2 s to spare) before the second kill: both kills are felt, neither loses a request.
    @Test func flapLosesNoRequestAndEachKillIsFelt() async throws {
        let report = try await Self.run(try Self.builtIn("flap", seed: 11))
        #expect(report.verdicts.map(\.slo) == ["success rate ≥ 1.0", "p95 ≤ slowest simulated latency of ethereum + 100.0 ms",
                                               "≥ 100 requests"])
        #expect(report.verdicts[0].passed && report.verdicts[2].passed, "\(report.verdicts)")
        #expect(report.successRate == 1.0, "\(report.failures)")
        #expect(report.faults.map(\.description) == ["kill sim_fast", "kill sim_fast"])
        #expect(report.faults.allSatisfy { $0.endMs - $0.atMs >= 1_000 }, "restored after its 1 s down: \(report.faults)")
        #expect(report.faults.allSatisfy { $0.recoveryMs > 0 }, "each kill disturbed requests lassod then failed over: \(report.faults)")
        #expect(report.failovers >= 2)
        #expect((report.servedBy["sim_fast"] ?? 0) > 0 && (report.servedBy["sim_mid"] ?? 0) > 0, "\(report.servedBy)")
    }

    /// A flap waits for its provider to be back in rotation, for at most one period: under
    /// `priority`, b (priority 2) never serves while a is healthy, so its kill planned at 200 ms
    /// comes at the end of its 600 ms period, and the run's load is stretched to keep its share.
    @Test func aFlapWaitsForItsProviderInRotationAtMostOnePeriod() async throws {
        let scenario = Battle.Scenario("flap-waits")
            .chain("ethereum", providers: [.init(id: "a", latencyMs: 5), .init(id: "b", latencyMs: 5)])
            .workload(Battle.Workload(chain: "ethereum", concurrency: 4, methods: [(.chainID, 1)], strategy: "priority"))
            .chaos(.flap(.provider("b"), at: 200, every: 600, down: 100))
            .duration(ms: 700)
        let report = try await Self.run(scenario)
        let fault = try #require(report.faults.first)
        #expect(report.faults.count == 1 && fault.description == "kill b", "\(report.faults)")
        #expect(fault.atMs >= 800, "b never served, so the kill waited out its period: \(fault)")
        #expect(report.durationMs >= 1_300, "the load kept its 500 ms after the planned kill")
        #expect(report.servedBy.keys.sorted() == ["a"], "\(report.servedBy)")
    }

    /// From 1.5 s the fastest provider alternates 400 ms answers and -32603 errors every 500 ms
    /// until the end: `fastest` must move off it and stay off, losing nothing.
    @Test func degradeMovesFastestOffTheDegradedProvider() async throws {
        let report = try await Self.run(try Self.builtIn("degrade", seed: 13))
        #expect(report.verdicts.map(\.slo) == ["success rate ≥ 1.0", "every fault recovered within 5000.0 ms", "≥ 100 requests"])
        #expect(report.passed, "\(report.verdicts)")
        #expect(report.successRate == 1.0, "\(report.failures)")
        let fault = try #require(report.faults.first)
        #expect(report.faults.count == 1 && fault.description == "degrade sim_fast: slow:400/erroring:rpc")
        // Recovery is the end of the last request sim_fast served, failed or had retried: before
        // the fault's end, so the rest of the run went to the others.
        #expect(fault.recoveryMs > 0 && fault.atMs + fault.recoveryMs < fault.endMs, "\(fault)")
        #expect((report.servedBy["sim_fast"] ?? 0) > 0 && (report.servedBy["sim_mid"] ?? 0) > 0, "\(report.servedBy)")
    }

    /// From 1.5 s to 4.5 s the first provider answers 429 + Retry-After: 2. Once lassod shows it
    /// cooling down, no client request may reach it until the 2 s (from the switch) are over.
    @Test func rateLimitSendsNoClientRequestDuringRetryAfter() async throws {
        let report = try await Self.run(try Self.builtIn("rate-limit", seed: 17))
        #expect(report.verdicts.map(\.slo) == ["success rate ≥ 1.0", "≤ 0 client requests to a rate-limited provider during Retry-After",
                                               "≥ 100 requests"])
        #expect(report.passed, "\(report.verdicts)")
        let window = try #require(report.rateLimitWindows.first)
        #expect(report.rateLimitWindows.count == 1 && window.provider == "sim_fast" && window.retryAfterMs == 2_000)
        let knownAt = try #require(window.knownAtMs, "lassod showed sim_fast cooling down")
        #expect(knownAt >= window.switchedAtMs && knownAt < window.endMs)
        #expect(window.requestsDuringWindow == 0)
        #expect(report.failovers >= 1, "the request answered 429 was failed over")
        #expect(report.successRate == 1.0, "\(report.failures)")
        #expect((report.servedBy["sim_fast"] ?? 0) > 0 && (report.servedBy["sim_mid"] ?? 0) > 0, "\(report.servedBy)")
    }

    /// Chain base is restarted at 1, 3 and 5 s while every client loads ethereum, which must not notice.
    @Test func chainRestartLeavesTheOtherChainUntouched() async throws {
        let report = try await Self.run(try Self.builtIn("chain-restart", seed: 19))
        #expect(report.verdicts.map(\.slo) == ["success rate ≥ 1.0 on ethereum", "≥ 100 requests"])
        #expect(report.passed, "\(report.verdicts)")
        #expect(report.faults.map(\.description) == Array(repeating: "restart chain base", count: 3), "none refused")
        #expect(report.chains.map(\.chain) == ["ethereum"])
        #expect(report.chains.first?.successRate == 1.0, "\(report.failures)")
        #expect(report.failures.isEmpty && report.failovers == 0)
        #expect(!report.restarts.keys.contains { $0.contains("ethereum") }, "nothing of ethereum restarted: \(report.restarts)")
    }

    /// ws-failover, short: 100 clients on newHeads and the transfers logs key while the provider
    /// carrying them is killed three times. Every stream must be whole (the SLOs' own zero
    /// thresholds); the failover latency limit is not asserted (timing), only that each failover
    /// completed on another provider.
    @Test func wsFailoverLosesNoBlockAndNoLogForAHundredClients() async throws {
        guard let scenario = Battle.Catalog.scenario(named: "ws-failover", durationMs: 6_000, seed: 1) else {
            Issue.record("ws-failover is built in")
            return
        }
        let report = try await Self.run(scenario)
        let streamSLOs = report.verdicts.filter { !$0.slo.hasPrefix("subscription failover") }
        #expect(streamSLOs.count == 3 && streamSLOs.allSatisfy(\.passed), "\(streamSLOs)")
        let totals = try #require(report.streamTotals)
        #expect(totals.clients == 100 && totals.streams == 200 && totals.intactStreams == 200)
        #expect(report.streams.filter { $0.kind == .newHeads }.allSatisfy { ($0.from ?? .max) < $0.through && $0.counts.received > 10 },
                "every client saw the run's blocks")
        // Kills at 0.67, 2.67 and 4.67 s of whichever provider carried the streams: each moved
        // both keys to a live provider.
        #expect(report.faults.count == 3 && report.faults.first?.description == "kill sim_fast", "\(report.faults)")
        let heads = report.subscriptionFailovers.filter { $0.key == "newHeads" }
        #expect(heads.count == 3 && heads.allSatisfy(\.completed), "\(report.subscriptionFailovers)")
        #expect(heads.allSatisfy { $0.from != nil && $0.to != nil && $0.from != $0.to })
        #expect(report.subscriptionFailovers.allSatisfy { $0.completed }, "the logs key's too")
        #expect(report.verdicts.first { $0.slo.hasPrefix("subscription failover") }?.detail.hasPrefix("3 failovers") == true)
    }

    @Test func aScenarioFileSetsSubscribersAndTheBreakerPolicyOfTheLassodItStarts() throws {
        let scenario = try Battle.ScenarioFile.parse("""
            name: file-ws
            chains:
              ethereum:
                block_time_ms: 250
                providers: [{id: a}, {id: b}]
            subscriptions:
              - {chain: ethereum, clients: 40}
              - {chain: ethereum, clients: 5, logs: false}
            circuit_breaker: {failure_threshold: 3, recovery_timeout_ms: 1500, success_threshold: 1}
            chaos:
              - {action: kill, target: "subscribed:ethereum", at: 1s, every: 3s, restore_after: 1s}
            slos:
              - {stream_gaps_max: 0}
              - {stream_duplicates_max: 1}
              - {streams_in_order: true}
              - {failover_p99_ms: 500}
              - {failover_p99_ms: 2000, key: all}
            """)
        #expect(scenario.subscriptions == [Battle.SubscriptionWorkload(chain: "ethereum", clients: 40, logs: true),
                                           Battle.SubscriptionWorkload(chain: "ethereum", clients: 5, logs: false)])
        let breaker = CircuitBreakerConfig(failureThreshold: 3, recoveryTimeout: .milliseconds(1_500), successThreshold: 1)
        #expect(scenario.circuitBreaker == breaker)
        #expect(scenario.chaos == [.kill(.subscribed(chain: "ethereum"), at: 1_000, every: 3_000, restoreAfter: 1_000)])
        #expect(scenario.slos == [.streamGaps(atMost: 0), .streamDuplicates(atMost: 1), .streamsInOrder,
                                  .failoverP99(atMostMs: 500, key: "newHeads"), .failoverP99(atMostMs: 2_000, key: nil)])

        // Applied to lassod's config, with WebSocket URLs because the chain has subscribers.
        let config = try Battle.Runner.lassoConfig(for: scenario, urls: ["a": ("http://127.0.0.1:1", "ws://127.0.0.1:1"),
                                                                          "b": ("http://127.0.0.1:2", "ws://127.0.0.1:2")])
        #expect(config.circuitBreaker == breaker)
        #expect(config.chains.first?.providers.map(\.wsURL) == ["ws://127.0.0.1:1", "ws://127.0.0.1:2"])
        // Without the section, lassod's defaults; without subscribers, no WebSocket.
        let plain = try Battle.Runner.lassoConfig(for: Battle.Scenario("plain").chain("ethereum", providers: [.init(id: "a")]),
                                                  urls: ["a": ("http://127.0.0.1:1", "ws://127.0.0.1:1")])
        #expect(plain.circuitBreaker == CircuitBreakerConfig())
        #expect(plain.chains.first?.providers.first?.wsURL == nil)

        for (text, problem) in [("circuit_breaker: {recovery_timeout: 5}", "line 1: unknown circuit_breaker key"),
                                ("circuit_breaker: {failure_threshold: 0}", "line 1: must be positive"),
                                ("circuit_breaker: {success_threshold: two}", "line 1: expected a whole number"),
                                ("circuit_breaker: [1, 2]", "line 1: circuit_breaker is a mapping")] {
            #expect {
                try Battle.ScenarioFile.parse(text)
            } throws: { error in
                "\(error)".hasPrefix(problem)
            }
        }
    }

    @Test func aScenarioFileParsesIntoTheSameScenario() throws {
        let scenario = try Battle.ScenarioFile.parse("""
            name: file-failover
            duration: 20s
            seed: 7
            chains:
              ethereum:
                chain_id: 1
                probe_interval_ms: 250
                providers: [{id: a, latency_ms: 10}, {id: b, latency_ms: 25}]
            workloads:
              - {chain: ethereum, concurrency: 20, strategy: fastest, methods: {eth_blockNumber: 3, eth_chainId: 1}}
            chaos:
              - {action: kill, target: "fastest:ethereum", at: 2s, every: 6s, restore_after: 2s}
              - {action: degrade, target: b, behaviors: ["slow:300", erroring, "rate_limited:2"], step: 500ms, at: 10s}
              - {action: kill_random_node, under: "Application/ChainsSupervisor", at: 1s, every: 2s}
              - {action: flap, target: a, at: 1s, every: 3s, down: 400ms}
            slos:
              - {success_rate: 1.0}
              - {p95_above_simulated_ms: 50, chain: ethereum}
            """)
        #expect(scenario.name == "file-failover" && scenario.durationMs == 20_000 && scenario.seed == 7)
        #expect(scenario.chains == [Battle.ChainSetup(key: "ethereum", providers: [.init(id: "a", latencyMs: 10),
                                                                                  .init(id: "b", latencyMs: 25)],
                                                           probeIntervalMs: 250)])
        #expect(scenario.workloads == [Battle.Workload(chain: "ethereum", concurrency: 20,
                                                       methods: [(.blockNumber, 3), (.chainID, 1)], strategy: "fastest")])
        #expect(scenario.chaos == [
            .kill(.fastest(chain: "ethereum"), at: 2_000, every: 6_000, restoreAfter: 2_000),
            .degrade(.provider("b"), [.slow(latencyMs: 300), .erroring(.internalError), .rateLimited(retryAfterSeconds: 2)],
                     stepMs: 500, at: 10_000),
            Battle.Chaos(.killRandomNode(under: "Application/ChainsSupervisor"), at: 1_000, every: 2_000),
            .flap(.provider("a"), at: 1_000, every: 3_000, down: 400),
        ])
        #expect(scenario.slos == [.successRate(atLeast: 1.0), .p95AboveSimulated(atMostMs: 50, chain: "ethereum")])
        #expect(throws: Battle.ScenarioFile.Problem.self) {
            try Battle.ScenarioFile.parse("chaos:\n  - {action: explode, at: 1s}\n")
        }
    }
}
