import Foundation
import Testing
@testable import Lasso
import Supervision
import TestSupport

@Suite(.serialized) struct BenchmarkPersistenceTests {
    static let fast = MetricKey(providerID: "alpha", method: "eth_call", transport: .http)
    static let slow = MetricKey(providerID: "beta", method: "eth_call", transport: .http)

    /// A fresh directory under the system's temporary directory, never the repository.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lasso-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Node {
        let root: Supervisor
        let names: ProcessNames

        init(path: String, runtime: Runtime, logger: Logger, interval: Duration = .seconds(3_600)) async throws {
            // No history here: those tests are about the snapshot file (BenchmarkHistoryTests
            // cover the history).
            try await self.init(config: BenchmarksConfig(persistencePath: path, snapshotInterval: interval, dataDir: ""),
                                runtime: runtime, logger: logger)
        }

        init(config: BenchmarksConfig, runtime: Runtime, logger: Logger) async throws {
            let names = ProcessNames()
            self.names = names
            root = try await Supervisor.start(name: "Application", children: [
                BenchmarkStoreServer.childSpec(directory: ChainDirectory(), chains: { ["ethereum"] }, names: names),
                BenchmarkPersistence.childSpec(config: config, names: names, chains: { ["ethereum"] }, logger: logger),
            ], runtime: runtime)
        }

        var store: ServerRef<BenchmarkStoreServer> { get throws { try #require(names.benchmarkStore) } }

        func persistence() async throws -> ServerRef<BenchmarkPersistence> {
            try #require(try await root.whichChildren()[1].process?.server(BenchmarkPersistence.self))
        }

        func leaderboard() async throws -> [LeaderboardEntry] {
            guard case .leaderboard(let entries) = try await store.call(.leaderboard(chain: "ethereum")) else { return [] }
            return entries
        }
    }

    @Test func bothFileFormatsWriteARowAsOneFlatObject() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let snapshotRow = BenchmarkSnapshot.Entry(provider: "ankr", method: "eth_call", transport: .http, successes: 120,
                                                  failures: 3, meanMs: 41.5, figures: .init(ewmaMs: 39.25))
        let snapshotJSON = #"{"ewma_ms":39.25,"failures":3,"mean_ms":41.5,"method":"eth_call","provider":"ankr","successes":120,"transport":"http"}"#
        #expect(String(decoding: try encoder.encode(snapshotRow), as: UTF8.self) == snapshotJSON)
        #expect(try JSONDecoder().decode(BenchmarkSnapshot.Entry.self, from: Data(snapshotJSON.utf8)) == snapshotRow)
        #expect(snapshotRow.ewmaMs == 39.25)

        let hourRow = BenchmarkHistoryPoint.Entry(provider: "ankr", method: "eth_call", transport: .ws, successes: 1200,
                                                  failures: 0, meanMs: 41.5, figures: .init(p50Ms: 39.75, p95Ms: 88.5))
        let hourJSON = #"{"failures":0,"mean_ms":41.5,"method":"eth_call","p50_ms":39.75,"p95_ms":88.5,"provider":"ankr","successes":1200,"transport":"ws"}"#
        #expect(String(decoding: try encoder.encode(hourRow), as: UTF8.self) == hourJSON)
        #expect(try JSONDecoder().decode(BenchmarkHistoryPoint.Entry.self, from: Data(hourJSON.utf8)) == hourRow)
        // A snapshot row without its EWMA is not a snapshot row.
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BenchmarkSnapshot.Entry.self, from: Data(hourJSON.utf8)) }
    }

    @Test func aSnapshotWrittenAtStopSeedsTheStoreAfterARestart() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/benchmarks.json"
        let sink = CapturingLogSink()
        let logger = Logger(minimumLevel: .info, sink: sink)

        let first = try await Node(path: path, runtime: Runtime(clock: ManualClock()), logger: logger)
        for _ in 0..<8 { try first.store.cast(.record(chain: "ethereum", key: Self.fast, latencyMicros: 10_000, succeeded: true)) }
        for _ in 0..<4 { try first.store.cast(.record(chain: "ethereum", key: Self.slow, latencyMicros: 90_000, succeeded: true)) }
        try first.store.cast(.record(chain: "ethereum", key: Self.slow, latencyMicros: 0, succeeded: false))
        _ = try await first.leaderboard()
        await first.root.stop()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        #expect(sink.lines.filter { $0.contains("benchmarks.load_failed") }.count == 1, "the first start found no file")

        let second = try await Node(path: path, runtime: Runtime(clock: ManualClock()), logger: logger)
        var board: [LeaderboardEntry] = []
        try #require(try await waitFor {
            board = try await second.leaderboard()
            return board.count == 2
        })
        #expect(board.map(\.providerID) == ["alpha", "beta"], "fastest has its prior back")
        #expect(board[0].count == 8 && board[0].successes == 8)
        #expect(board[1].count == 5 && board[1].successes == 4)
        #expect(abs(board[0].meanLatencyMs - 10) < 0.01)
        guard case .stats(let stats?) = try await second.store.call(.stats(chain: "ethereum", key: Self.slow)) else {
            Issue.record("no stats for the seeded key")
            return
        }
        #expect(abs((stats.latency?.ewmaMs ?? 0) - 90) < 0.01)

        // A restart of the persistence process alone does not count the file twice.
        let crashed = try await second.persistence().process
        crashed.stop(.failed(CancellationError()))
        try #require(try await waitFor { try await second.root.whichChildren()[1].process.map { $0 != crashed && $0.isAlive } ?? false })
        _ = try await second.persistence().call(.snapshotNow)
        #expect(try await second.leaderboard()[0].count == 8)
        #expect(sink.lines.filter { $0.contains("benchmarks.load_failed") }.count == 1)
        await second.root.stop()
    }

    @Test func snapshotsAreWrittenOnTheIntervalAtomically() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/benchmarks.json"
        let clock = ManualClock()
        let node = try await Node(path: path, runtime: Runtime(clock: clock), logger: Logger(minimumLevel: .error, sink: CapturingLogSink()),
                                  interval: .seconds(60))
        try node.store.cast(.record(chain: "ethereum", key: Self.fast, latencyMicros: 10_000, succeeded: true))
        _ = try await node.leaderboard()
        #expect(!FileManager.default.fileExists(atPath: path))
        clock.advance(by: .seconds(60))
        try #require(await waitFor { FileManager.default.fileExists(atPath: path) })
        let snapshot = try JSONDecoder().decode(BenchmarkSnapshot.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(snapshot.version == 1)
        #expect(snapshot.chains["ethereum"]?.map(\.provider) == ["alpha"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["benchmarks.json"])
        await node.root.stop()
    }

    @Test func aCorruptFileCostsOneWarningAndAnEmptyStart() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/benchmarks.json"
        try Data("{\"version\":1,\"chains\":{\"ethereum\":[{\"provider\":".utf8).write(to: URL(fileURLWithPath: path))
        let sink = CapturingLogSink()
        let node = try await Node(path: path, runtime: Runtime(clock: ManualClock()), logger: Logger(minimumLevel: .info, sink: sink))
        #expect(try await node.leaderboard().isEmpty)
        let warnings = sink.lines.filter { $0.contains("benchmarks.load_failed") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("not a benchmark snapshot") == true && warnings.first?.contains(#""level":"warning""#) == true)
        await node.root.stop()
    }

    @Test func anEmptyPathReadsAndWritesNothing() async throws {
        let sink = CapturingLogSink()
        let node = try await Node(path: "", runtime: Runtime(clock: ManualClock()), logger: Logger(minimumLevel: .debug, sink: sink))
        try node.store.cast(.record(chain: "ethereum", key: Self.fast, latencyMicros: 10_000, succeeded: true))
        #expect(try await node.persistence().call(.snapshotNow) == false)
        await node.root.stop()
        #expect(sink.lines.isEmpty)
    }

    @Test func theBenchmarksSectionIsValidated() throws {
        let chains = "chains: {ethereum: {chain_id: 1, providers: [{id: a, url: \"https://a.example\"}]}}\n"
        let defaults = try LassoConfig.parse(yaml: chains, environment: [:])
        #expect(defaults.benchmarks == BenchmarksConfig(persistencePath: "", snapshotInterval: .seconds(3_600)))
        let set = try LassoConfig.parse(yaml: "benchmarks: {persistence_path: /var/lib/lassod/b.json, snapshot_interval_ms: 60000}\n" + chains,
                                        environment: [:])
        #expect(set.benchmarks == BenchmarksConfig(persistencePath: "/var/lib/lassod/b.json", snapshotInterval: .seconds(60)))
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "benchmarks: {persistence_path: /tmp/, snapshot_interval_ms: 10, every: 1}\n" + chains,
                                  environment: [:])
        }
        #expect(error.issues.map(\.description) == [
            "benchmarks.every: unknown key (line 1)",
            "benchmarks.persistence_path: must name a file, not a directory (line 1)",
            "benchmarks.snapshot_interval_ms: must be between 1000 and 86400000, found '10' (line 1)",
        ])
    }
}
