import Foundation
import Testing
@testable import Lasso

/// What the dashboard's feed says about subscription failovers, from the table's statuses alone.
struct DashboardFailoverWatchTests {
    let logger = Logger(minimumLevel: .debug, sink: CapturingLogSink(), wallClockMillis: { 0 })

    static func status(_ key: SubscriptionKey = SubscriptionKey(kind: .newHeads), failovers: Int,
                       from: String? = "alpha", to: String? = nil, durationMs: Int? = nil) -> StreamStatus {
        var status = StreamStatus(key: key)
        status.counters.failovers = failovers
        status.lastBlock = 41
        if failovers > 0 {
            status.lastFailover = StreamStatus.Failover(reason: "socket_closed", from: from, to: to, durationMs: durationMs,
                                                        backfilled: 3, skipped: 1)
        }
        return status
    }

    func events(_ entries: [[UInt8]]) -> [[String: Any]] {
        entries.compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    @Test func aFailoverIsReportedOnceWhenItStartsAndOnceWhenItCompletes() {
        var watch = DashboardFailoverWatch()
        // The first look only notes where the key stands, even with a failover behind it.
        #expect(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 1, to: "beta", durationMs: 9)],
                           logger: logger, unixMillis: 0).isEmpty)
        let started = events(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 2)], logger: logger, unixMillis: 0))
        #expect(started.count == 1)
        #expect(started.first?["event"] as? String == "subscription.failover.started")
        #expect(started.first?["chain"] as? String == "ethereum")
        #expect(started.first?["key"] as? String == "newHeads")
        #expect(started.first?["reason"] as? String == "socket_closed")
        #expect(started.first?["from"] as? String == "alpha")
        #expect(started.first?["last_block"] as? Int == 41)
        #expect(started.first?["failovers"] as? Int == 2)
        // Nothing new: nothing said.
        #expect(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 2)], logger: logger, unixMillis: 0).isEmpty)
        let completed = events(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 2, to: "beta", durationMs: 412)],
                                          logger: logger, unixMillis: 0))
        #expect(completed.count == 1)
        #expect(completed.first?["event"] as? String == "subscription.failover.completed")
        #expect(completed.first?["to"] as? String == "beta")
        #expect(completed.first?["duration_ms"] as? Int == 412)
        #expect(completed.first?["backfilled"] as? Int == 3)
        #expect(completed.first?["skipped"] as? Int == 1)
        #expect(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 2, to: "beta", durationMs: 412)],
                           logger: logger, unixMillis: 0).isEmpty)
    }

    @Test func aFailoverThatStartsAndEndsBetweenTwoLooksIsBothStartedAndCompleted() {
        var watch = DashboardFailoverWatch()
        _ = watch.look(chain: "ethereum", statuses: [Self.status(failovers: 0)], logger: logger, unixMillis: 0)
        let both = events(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 2, to: "beta", durationMs: 80)],
                                     logger: logger, unixMillis: 0))
        #expect(both.compactMap { $0["event"] as? String }
                == ["subscription.failover.started", "subscription.failover.completed"])
        #expect(both.first?["failovers"] as? Int == 2, "the key's total says one more happened in between")
    }

    @Test func keysAndChainsAreWatchedApartAndAResetStartsAfresh() {
        var watch = DashboardFailoverWatch()
        let logs = SubscriptionKey(kind: .logs, filter: #"{"address":["0x\#(String(repeating: "ab", count: 200))"]}"#)
        _ = watch.look(chain: "ethereum", statuses: [Self.status(failovers: 0), Self.status(logs, failovers: 0)],
                       logger: logger, unixMillis: 0)
        _ = watch.look(chain: "base", statuses: [Self.status(failovers: 0)], logger: logger, unixMillis: 0)
        let entries = events(watch.look(chain: "ethereum", statuses: [Self.status(failovers: 0), Self.status(logs, failovers: 1)],
                                        logger: logger, unixMillis: 0))
        #expect(entries.count == 1)
        // A logs key is shown as the status shows it: cut to 200 characters.
        #expect((entries.first?["key"] as? String)?.count == 200)
        #expect((entries.first?["key"] as? String)?.hasPrefix("logs{") == true)
        watch.reset()
        #expect(watch.look(chain: "base", statuses: [Self.status(failovers: 5)], logger: logger, unixMillis: 0).isEmpty)
    }

    @Test func failoversAreNotSampledAwayByAFloodOfDecisions() {
        let feed = DashboardFeed(perPush: 2)
        for _ in 0..<10 { feed.offer { Array(#"{"event":"rpc.request.completed"}"#.utf8) } }
        feed.post([Array(#"{"event":"subscription.failover.started"}"#.utf8)])
        let (entries, skipped) = feed.drain()
        #expect(entries.count == 3)
        #expect(entries.last.map { String(decoding: $0, as: UTF8.self) } == #"{"event":"subscription.failover.started"}"#)
        #expect(skipped == 8)
        // Failovers are bounded on their own: perPush per interval, the rest counted.
        feed.post(Array(repeating: Array("{}".utf8), count: 5))
        let (more, moreSkipped) = feed.drain()
        #expect(more.count == 2)
        #expect(moreSkipped == 3)
    }
}
