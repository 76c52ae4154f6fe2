import Foundation
import Testing
import LassoSimulation

/// The Analyzer's judgement of subscription streams on hand-made observations: an intact
/// stream passes, and a gap, a duplicate, a block out of order, a broken parent link or a
/// foreign log each fail the SLO that covers it, with the reason named.
struct BattleStreamAnalysisTests {
    typealias Event = Battle.Observations.StreamEvent
    typealias Stream = Battle.Observations.Stream

    static func hash(_ n: UInt64) -> String { "0xh\(n)" }

    /// Blocks 100…110, one every 250 ms from 0; matching logs in blocks 102 (indices 0 and 1),
    /// 105 (3) and 109 (2).
    static let truth = Battle.Observations.ChainTruth(
        blockHashes: Dictionary(uniqueKeysWithValues: (99...110).map { ($0, hash($0)) }),
        producedAtMs: Dictionary(uniqueKeysWithValues: (99...110).map { ($0, (Double($0) - 100) * 250) }),
        logs: [102: [0, 1], 105: [3], 109: [2]], through: 110)

    /// Headers of `numbers` in that order, each linked to the chain's block before it, arriving
    /// 20 ms after the block was made.
    static func heads(_ numbers: [UInt64], client: Int = 0) -> Stream {
        Stream(chain: "ethereum", client: client, kind: .newHeads, events: numbers.map {
            Event(atMs: Double($0 - 100) * 250 + 20, block: $0, hash: hash($0), parentHash: hash($0 - 1))
        })
    }

    /// Logs `(block, index)` in that order; the first, in block 101 (index 0), opens the window at 102.
    static func logs(_ ids: [(UInt64, UInt64)], client: Int = 0) -> Stream {
        Stream(chain: "ethereum", client: client, kind: .logs, events: ([(101, 0)] + ids).map {
            Event(atMs: Double($0.0 - 100) * 250 + 30, block: $0.0, hash: hash($0.0), logIndex: $0.1)
        })
    }

    static let allLogs: [(UInt64, UInt64)] = [(102, 0), (102, 1), (105, 3), (109, 2)]

    static func report(_ streams: [Stream], events: [Battle.Observations.SubscriptionEvent] = [],
                       slos: [Battle.SLO] = [.streamGaps(atMost: 0), .streamDuplicates(atMost: 0), .streamsInOrder])
        -> Battle.Report {
        var observations = Battle.Observations(durationMs: 3_000)
        observations.streams = streams
        observations.truth = ["ethereum": truth]
        observations.subscriptionEvents = events
        let scenario = slos.reduce(Battle.Scenario("streams")) { $0.slo($1) }
        return Battle.Analyzer.analyze(observations, scenario: scenario)
    }

    @Test func everyBlockOnceInOrderAndEveryLogPasses() {
        let heads = Battle.Analyzer.stream(Self.heads(Array(100...110)), truth: Self.truth)
        #expect(heads.intact && heads.from == 100 && heads.counts.received == 11 && heads.problems.isEmpty)
        #expect(heads.maxDelayMs == 20)
        let logs = Battle.Analyzer.stream(Self.logs(Self.allLogs), truth: Self.truth)
        #expect(logs.intact && logs.from == 102 && logs.counts.received == 5)
        let report = Self.report([Self.heads(Array(100...110)), Self.logs(Self.allLogs)])
        #expect(report.passed, "\(report.failedVerdicts)")
        #expect(report.streamTotals?.intactStreams == 2 && report.streamTotals?.counts.received == 16)
    }

    @Test func aMissingBlockIsAGapThatFailsTheGapSLO() {
        let summary = Battle.Analyzer.stream(Self.heads([100, 101, 103, 104, 105, 106, 107, 108, 109, 110]), truth: Self.truth)
        #expect(summary.counts.missing == 1 && summary.counts.duplicates == 0 && summary.counts.brokenLinks == 0)
        #expect(summary.problems == ["1 blocks missing, the first 102"])
        let report = Self.report([Self.heads(Array(100...110), client: 0),
                                  Self.heads([100, 101, 103, 104, 105, 106, 107, 108, 109, 110], client: 1)])
        #expect(report.failedVerdicts.map(\.slo) == ["≤ 0 blocks or logs missing from subscribers' streams"])
        #expect(report.failedVerdicts.first?.detail.contains("1 missing in 2 streams") == true)
        #expect(report.failedVerdicts.first?.detail.contains("client 1 newHeads: 1 blocks missing, the first 102") == true)
    }

    @Test func aStreamThatStopsShortOfTheLastBlockMissesTheRest() {
        let summary = Battle.Analyzer.stream(Self.heads(Array(100...105)), truth: Self.truth)
        #expect(summary.counts.missing == 5 && summary.problems == ["5 blocks missing, the first 106"])
        let silent = Battle.Analyzer.stream(Self.heads([]), truth: Self.truth)
        #expect(silent.counts.missing == 12 && silent.problems == ["no header received"])
    }

    @Test func aBlockDeliveredTwiceFailsTheDuplicateSLO() {
        let summary = Battle.Analyzer.stream(Self.heads([100, 101, 102, 102, 103, 104, 105, 106, 107, 108, 109, 110]),
                                             truth: Self.truth)
        #expect(summary.counts.duplicates == 1 && summary.counts.missing == 0 && summary.counts.outOfOrder == 0)
        #expect(summary.problems == ["block 102 again"])
        let report = Self.report([Self.heads([100, 101, 102, 102, 103, 104, 105, 106, 107, 108, 109, 110])])
        #expect(report.failedVerdicts.map(\.slo) == ["≤ 0 blocks or logs delivered twice"])
        #expect(report.failedVerdicts.first?.detail.hasPrefix("1 delivered twice") == true)
    }

    @Test func orderParentLinksAndTheChainsOwnHashesAreChecked() {
        let swapped = Battle.Analyzer.stream(Self.heads([100, 102, 101, 103, 104, 105, 106, 107, 108, 109, 110]), truth: Self.truth)
        #expect(swapped.counts.outOfOrder == 1 && swapped.counts.missing == 0)
        #expect(swapped.problems.contains("block 101 after 102"))

        var forked = Self.heads(Array(100...110))
        forked.events[4].hash = "0xother"       // block 104 is not the chain's…
        forked.events[5].parentHash = "0xother"  // …and 105 follows it, linked to it
        let fork = Battle.Analyzer.stream(forked, truth: Self.truth)
        #expect(fork.counts.foreign == 1 && fork.counts.brokenLinks == 0, "105 links to what was delivered before it")
        var unlinked = Self.heads(Array(100...110))
        unlinked.events[3].parentHash = Self.hash(101)
        let broken = Battle.Analyzer.stream(unlinked, truth: Self.truth)
        #expect(broken.counts.brokenLinks == 1 && broken.problems == ["block 103's parent is not block 102"])

        let report = Self.report([forked, unlinked])
        #expect(report.failedVerdicts.map(\.slo) == ["every stream in order, parent-linked, the chain's own; no socket dropped"])
        #expect(report.failedVerdicts.first?.detail.hasPrefix("0 out of order, 1 not the chain's, 1 broken parent links") == true)
        var dropped = Self.heads(Array(100...110))
        dropped.disconnects = 1
        #expect(!Self.report([dropped]).passed, "a dropped socket loses the subscription")
    }

    @Test func logsMustBeExactlyTheChainsMatchingLogsEachOnce() {
        let missing = Battle.Analyzer.stream(Self.logs([(102, 0), (105, 3), (109, 2)]), truth: Self.truth)
        #expect(missing.counts.missing == 1 && missing.problems == ["1 logs missing, the first 102/1"])
        let twice = Battle.Analyzer.stream(Self.logs([(102, 0), (102, 1), (102, 1), (105, 3), (109, 2)]), truth: Self.truth)
        #expect(twice.counts.duplicates == 1 && twice.counts.missing == 0)
        let foreign = Battle.Analyzer.stream(Self.logs(Self.allLogs + [(110, 0)]), truth: Self.truth)
        #expect(foreign.counts.foreign == 1 && foreign.counts.missing == 0)
        let late = Battle.Analyzer.stream(Self.logs([(102, 0), (105, 3), (102, 1), (109, 2)]), truth: Self.truth)
        #expect(late.counts.outOfOrder == 1 && late.counts.missing == 0)
        let report = Self.report([Self.logs([(102, 0), (105, 3), (109, 2)], client: 4),
                                  Self.logs([(102, 0), (102, 1), (102, 1), (105, 3), (109, 2)], client: 5)])
        #expect(report.failedVerdicts.map(\.slo) == ["≤ 0 blocks or logs missing from subscribers' streams",
                                                    "≤ 0 blocks or logs delivered twice"])
    }

    @Test func failoversPairStartWithCompletionAndTheirSLOFailsWhenOneNeverCompletes() {
        func event(_ at: Double, _ kind: String, _ key: String, duration: Double? = nil) -> Battle.Observations.SubscriptionEvent {
            .init(atMs: at, kind: kind, chain: "ethereum", key: key, reason: "socket_closed", fromProvider: "a",
                  toProvider: kind == "failover.completed" ? "b" : nil, durationMs: duration, count: 2)
        }
        let events = [event(100, "failover.started", "newHeads"), event(101, "failover.started", "logs"),
                      event(140, "failover.completed", "newHeads", duration: 40),
                      event(900, "failover.completed", "logs", duration: 800),
                      event(2_000, "failover.started", "newHeads"), event(2_000, "backfill", "newHeads")]
        let slo = Battle.SLO.failoverP99(atMostMs: 500)
        let report = Self.report([Self.heads(Array(100...110))], events: events, slos: [slo, .failoverP99(atMostMs: 900, key: nil)])
        #expect(report.subscriptionFailovers.map(\.completed) == [true, true, false])
        #expect(report.subscriptionFailovers.first?.to == "b" && report.subscriptionFailovers.first?.durationMs == 40)
        #expect(report.streamTotals?.failovers == 3 && report.streamTotals?.failoversCompleted == 2)
        #expect(report.streamTotals?.backfilled == 2)
        #expect(report.verdicts.map(\.passed) == [false, false])
        #expect(report.verdicts.first?.detail == "1 failovers, p99 40 ms, max 40 ms; 1 never completed")
        let completed = Self.report([Self.heads(Array(100...110))], events: Array(events.prefix(4)),
                                    slos: [slo, .failoverP99(atMostMs: 500, key: nil)])
        #expect(completed.verdicts.map(\.passed) == [true, false], "newHeads within 500 ms; the logs key's 800 ms is not")
        #expect(Self.report([Self.heads(Array(100...110))], slos: [slo]).verdicts.first?.detail
                == "no subscription failover completed")
    }
}
