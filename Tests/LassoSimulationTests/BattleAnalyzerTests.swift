import Foundation
import Testing
import LassoSimulation

/// The Analyzer's arithmetic and SLO verdicts on hand-made observations: no sockets, no clock.
struct BattleAnalyzerTests {
    typealias Sample = Battle.Observations.Sample

    @Test func percentilesAreNearestRank() {
        let values = (1...100).map(Double.init).shuffled()
        #expect(Battle.Analyzer.percentile(50, of: values) == 50)
        #expect(Battle.Analyzer.percentile(95, of: values) == 95)
        #expect(Battle.Analyzer.percentile(99, of: values) == 99)
        #expect(Battle.Analyzer.percentile(100, of: values) == 100)
        #expect(Battle.Analyzer.percentile(95, of: [7]) == 7)
        #expect(Battle.Analyzer.percentile(50, of: []) == 0)
        #expect(Battle.Analyzer.percentile(50, of: [1, 2, 3, 4]) == 2)
    }

    static func observations(failures: Int, of total: Int) -> Battle.Observations {
        var observations = Battle.Observations(durationMs: 10_000)
        observations.samples = (0..<total).map { index in
            Sample(startMs: Double(index), latencyMs: Double(index % 100 + 1), chain: "ethereum", method: "eth_chainId",
                   failure: index < failures ? "http: connectionRefused" : nil)
        }
        return observations
    }

    static let scenario = Battle.Scenario("unit").chain("ethereum", providers: [.init(id: "a", latencyMs: 20)])

    @Test func successRateAndItsVerdictNameTheReason() {
        let report = Battle.Analyzer.analyze(Self.observations(failures: 3, of: 1_000),
                                             scenario: Self.scenario.slo(.successRate(atLeast: 1.0)))
        #expect(report.successRate == 0.997)
        #expect(report.failures == ["http: connectionRefused": 3])
        #expect(!report.passed)
        #expect(report.failedVerdicts.first?.detail.contains("3 of 1000 requests failed: http: connectionRefused ×3") == true)
        let clean = Battle.Analyzer.analyze(Self.observations(failures: 0, of: 1_000),
                                            scenario: Self.scenario.slo(.successRate(atLeast: 1.0)))
        #expect(clean.passed)
    }

    @Test func latencySLOsCompareAgainstTheSimulatedLatency() {
        // Latencies 1…100 ms, ten times over: p95 = 95, p99 = 99.
        let observations = Self.observations(failures: 0, of: 1_000)
        let report = Battle.Analyzer.analyze(observations, scenario: Self.scenario
            .slo(.p95AboveSimulated(atMostMs: 75, chain: "ethereum"))   // limit 20 + 75 = 95: kept
            .slo(.p95AboveSimulated(atMostMs: 74, chain: "ethereum"))   // limit 94: broken
            .slo(.p99(atMostMs: 98)).slo(.p95(atMostMs: 95)))
        #expect(report.latency.p95 == 95 && report.latency.p99 == 99 && report.latency.p50 == 50)
        #expect(report.verdicts.map(\.passed) == [true, false, false, true])
        #expect(report.verdicts[1].detail == "p95 95.0 ms on ethereum, limit 94.0 ms")
    }

    @Test func recoveryEndsWithTheLastRequestTheFaultDisturbed() {
        var observations = Battle.Observations(durationMs: 10_000)
        observations.faults = [.init(atMs: 1_000, endMs: 4_000, description: "kill a", chain: "ethereum", provider: "a")]
        observations.routed = [
            .init(atMs: 1_050, chain: "ethereum", selectedProvider: "b", retries: 1, succeeded: true),   // failover
            .init(atMs: 1_400, chain: "ethereum", selectedProvider: "a", retries: 0, succeeded: true),   // still on a
            .init(atMs: 2_000, chain: "ethereum", selectedProvider: "b", retries: 0, succeeded: true),   // clean
            .init(atMs: 4_500, chain: "ethereum", selectedProvider: "b", retries: 1, succeeded: true),   // after restore
        ]
        observations.samples = [Sample(startMs: 1_500, latencyMs: 100, chain: "ethereum", method: "eth_chainId",
                                       failure: "wrong id")]   // ends at 1 600: the last disturbance
        let report = Battle.Analyzer.analyze(observations, scenario: Self.scenario.slo(.recovery(atMostMs: 600))
            .slo(.recovery(atMostMs: 599)))
        #expect(report.faults.map(\.recoveryMs) == [600])
        #expect(report.failovers == 2)
        #expect(report.servedBy == ["a": 1, "b": 3])
        #expect(report.verdicts.map(\.passed) == [true, false])
    }

    @Test func treeAndRetryAfterVerdictsAndRestartsPerNode() {
        var observations = Self.observations(failures: 0, of: 10)
        observations.treeChecks = [.init(atMs: 100, path: "Application/X", wholeAfterMs: 40),
                                   .init(atMs: 2_100, path: "Application/Y", wholeAfterMs: nil)]
        // Request 1 000 000 + n starts at n ms. 429s from 500 ms, lassod cooling from 600, window to 2 500.
        // Arrivals: 1 000 550 at 560 (before lassod knew) and again at 610 (sent before it knew, still
        // on its way: not counted), a probe (id 1: no client's), 1 000 650 and 1 000 700 (started
        // after lassod knew: counted), 1 002 400 at 2 600 (after the window).
        observations.samples = (0..<3_000).map { index in
            Sample(startMs: Double(index), latencyMs: 5, chain: "ethereum", method: "eth_chainId", id: 1_000_000 + UInt64(index))
        }
        observations.rateLimitWindows = [.init(provider: "a", retryAfterMs: 2_000, switchedAtMs: 500, knownAtMs: 600, arrivals: [
            .init(atMs: 560, id: "1000550"), .init(atMs: 610, id: "1000550"), .init(atMs: 620, id: "1"),
            .init(atMs: 655, id: "1000650"), .init(atMs: 705, id: "1000700"), .init(atMs: 2_600, id: "1002400"),
        ])]
        observations.supervision = [.init(atMs: 101, kind: "restarted", supervisor: "Application", child: "X"),
                                    .init(atMs: 101, kind: "exited", supervisor: "Application", child: "X"),
                                    .init(atMs: 2_101, kind: "restarted", supervisor: "Application", child: "X")]
        let report = Battle.Analyzer.analyze(observations, scenario: Self.scenario.slo(.treeWhole(withinMs: 5_000))
            .slo(.retryAfterHonoured(maxRequests: 1)).slo(.retryAfterHonoured(maxRequests: 2)).slo(.minimumRequests(3_001)))
        #expect(report.restarts == ["Application/X": 2])
        let window = report.rateLimitWindows.first
        #expect(report.rateLimitWindows.count == 1 && window?.provider == "a" && window?.switchedAtMs == 500
                && window?.knownAtMs == 600 && window?.endMs == 2_500)
        #expect(window?.arrivals == 4 && window?.requestsDuringWindow == 2)
        #expect(report.verdicts.map(\.passed) == [false, false, true, false])
        #expect(report.verdicts[0].detail == "not whole after killing Application/Y")
        #expect(report.verdicts[1].detail == "2 client requests reached a after lassod knew of its Retry-After "
                + "(4 arrivals in the window, counting requests sent before)")

        // lassod never showing the cooldown: every client request after the switch counts, and the SLO fails.
        observations.rateLimitWindows[0].knownAtMs = nil
        let unknown = Battle.Analyzer.analyze(observations, scenario: Self.scenario.slo(.retryAfterHonoured(maxRequests: 9)))
        #expect(unknown.rateLimitWindows.map(\.requestsDuringWindow) == [3])
        #expect(unknown.verdicts.map(\.detail) == ["lassod never showed a cooling down: 3 client requests reached it during its Retry-After"])
    }

    @Test func anSLOThatNothingExercisedFails() {
        let report = Battle.Analyzer.analyze(Self.observations(failures: 0, of: 5), scenario: Self.scenario
            .slo(.recovery(atMostMs: 1)).slo(.treeWhole(withinMs: 1)).slo(.retryAfterHonoured(maxRequests: 1)))
        #expect(report.verdicts.map(\.detail) == ["no fault was injected", "no tree node was killed", "no provider was rate-limited"])
    }

    @Test func theReportRoundTripsThroughItsDirectory() throws {
        let observations = Self.observations(failures: 1, of: 200)
        let report = Battle.Analyzer.analyze(observations, scenario: Self.scenario.slo(.successRate(atLeast: 1.0)))
        let directory = NSTemporaryDirectory() + "battle-report-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Battle.Reporter.write(report, to: directory)
        #expect(try Battle.Reporter.read(from: directory) == report)
        let markdown = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(markdown.contains("| success rate ≥ 1.0 | **FAIL** |"))
        let svg = try String(contentsOfFile: directory + "/latency.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline"))
    }
}
