import Foundation
import Testing
import TestSupport
@testable import Lasso
import Supervision

/// Hourly history: the store's hour windows become points in `<data_dir>/history/<region>/`,
/// kept 24 h and read back at start.
@Suite(.serialized) struct BenchmarkHistoryTests {
    static let key = MetricKey(providerID: "alpha", method: "eth_call", transport: .http)
    static let hour: UInt64 = 3_600_000

    @Test func anHourSummaryHoldsOnlyThatHoursAttempts() {
        var store = BenchmarkStore()
        store.record(chain: "ethereum", key: Self.key, latencyMicros: 10_000, succeeded: true,
                     at: RuntimeInstant(milliseconds: 5 * Self.hour + 10))
        store.record(chain: "ethereum", key: Self.key, latencyMicros: 0, succeeded: false,
                     at: RuntimeInstant(milliseconds: 5 * Self.hour + 20))
        store.record(chain: "ethereum", key: Self.key, latencyMicros: 30_000, succeeded: true,
                     at: RuntimeInstant(milliseconds: 6 * Self.hour + 10))
        let five = store.hour(5, chains: ["ethereum", "base"])["ethereum"] ?? []
        #expect(five.count == 1)
        #expect(five.first?.successes == 1 && five.first?.failures == 1)
        #expect(abs((five.first?.meanMs ?? 0) - 10) < 0.001)
        #expect(abs((five.first?.p50Ms ?? 0) - 10) < 1)
        let six = store.hour(6, chains: ["ethereum"])["ethereum"] ?? []
        #expect(six.first?.successes == 1 && six.first?.failures == 0)
        #expect(abs((six.first?.meanMs ?? 0) - 30) < 0.001)
        #expect(store.hour(7, chains: ["ethereum"]).isEmpty)
    }

    @Test func pointsOlderThanADayOrOfAnotherRegionAreNotReadBack() throws {
        let directory = try BenchmarkPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now: Int64 = 1_800_000_000_000
        let entry = BenchmarkHistoryPoint.Entry(provider: "alpha", method: "eth_call", transport: .http, successes: 2,
                                                failures: 0, meanMs: 5, figures: .init(p50Ms: 5, p95Ms: 6))
        func point(hoursAgo: Int64, region: String?) -> BenchmarkHistoryPoint {
            let start = now - hoursAgo * Int64(Self.hour)
            return BenchmarkHistoryPoint(region: region, startMs: start, endMs: start + Int64(Self.hour), chains: ["ethereum": [entry]])
        }
        let local = BenchmarkHistoryPoint.directory(dataDir: directory, region: nil)
        try BenchmarkHistoryPoint.write(point(hoursAgo: 30, region: nil), into: local)
        try BenchmarkHistoryPoint.write(point(hoursAgo: 2, region: nil), into: local)
        try BenchmarkHistoryPoint.write(point(hoursAgo: 1, region: nil), into: local)
        try BenchmarkHistoryPoint.write(point(hoursAgo: 3, region: "eu-west"), into: local)
        let loaded = BenchmarkHistoryPoint.load(from: local, region: nil, nowMs: now)
        #expect(loaded == [point(hoursAgo: 2, region: nil), point(hoursAgo: 1, region: nil)])
        let files = try FileManager.default.contentsOfDirectory(atPath: local).sorted()
        #expect(!files.contains("\(now - 30 * Int64(Self.hour)).json"), "a point older than 24 h is deleted")
        #expect(files.count == 3)
        #expect(local.hasSuffix("/history/local"))
        #expect(BenchmarkHistoryPoint.directory(dataDir: "data", region: "eu-west") == "data/history/eu-west")
    }

    @Test func anHourThatEndsIsWrittenAndAFreshStartReadsItBack() async throws {
        let directory = try BenchmarkPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let logger = Logger(minimumLevel: .info, sink: CapturingLogSink())
        let first = try await Self.node(dataDir: directory, clock: clock, logger: logger)
        for _ in 0..<4 { try first.store.cast(.record(chain: "ethereum", key: Self.key, latencyMicros: 20_000, succeeded: true)) }
        _ = try await first.leaderboard()  // the casts are in
        await clock.waitForTimer(dueWithin: .seconds(3_601))
        clock.advance(by: .seconds(3_601))
        let historyDirectory = BenchmarkHistoryPoint.directory(dataDir: directory, region: nil)
        try #require(await waitFor {
            ((try? FileManager.default.contentsOfDirectory(atPath: historyDirectory)) ?? []).contains { $0.hasSuffix(".json") }
        })
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: historyDirectory).first)
        let point = try JSONDecoder().decode(BenchmarkHistoryPoint.self,
                                             from: try Data(contentsOf: URL(fileURLWithPath: historyDirectory + "/" + name)))
        #expect(point.chains["ethereum"]?.map(\.successes) == [4])
        #expect(point.endMs - point.startMs == Int64(Self.hour))
        await first.root.stop()

        let second = try await Self.node(dataDir: directory, clock: ManualClock(), logger: logger)
        defer { Task { await second.root.stop() } }
        let history = try await second.persistence().call(ServerCall<BenchmarkPersistence, [BenchmarkHistoryPoint]> { server, _ in
            server.history
        })
        #expect(history == [point])
    }

    @Test func historyNowWritesTheHourInProgressAndAnEmptyDataDirWritesNothing() async throws {
        let directory = try BenchmarkPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(minimumLevel: .info, sink: CapturingLogSink())
        let node = try await Self.node(dataDir: directory, clock: ManualClock(), logger: logger)
        #expect(try await node.persistence().call(.historyNow) == false, "no attempt yet: nothing to write")
        try node.store.cast(.record(chain: "ethereum", key: Self.key, latencyMicros: 1_000, succeeded: true))
        _ = try await node.leaderboard()
        #expect(try await node.persistence().call(.historyNow) == true)
        #expect(try FileManager.default.contentsOfDirectory(
            atPath: BenchmarkHistoryPoint.directory(dataDir: directory, region: nil)).count == 1)
        await node.root.stop()

        let off = try await Self.node(dataDir: "", clock: ManualClock(), logger: logger)
        try off.store.cast(.record(chain: "ethereum", key: Self.key, latencyMicros: 1_000, succeeded: true))
        _ = try await off.leaderboard()
        #expect(try await off.persistence().call(.historyNow) == false)
        await off.root.stop()
    }

    static func node(dataDir: String, clock: ManualClock, logger: Logger) async throws -> BenchmarkPersistenceTests.Node {
        try await BenchmarkPersistenceTests.Node(config: BenchmarksConfig(persistencePath: "", dataDir: dataDir),
                                                 runtime: Runtime(clock: clock), logger: logger)
    }
}
