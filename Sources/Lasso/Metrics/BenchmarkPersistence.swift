import Foundation
import Supervision

/// `BenchmarkPersistence`: the process that keeps the benchmark summary across restarts.
///
/// Every `benchmarks.snapshot_interval_ms` (hourly by default) and when it stops, it asks the
/// `BenchmarkStore` for the configured chains' `BenchmarkSnapshot` and writes it to
/// `benchmarks.persistence_path` atomically: into `<path>.tmp`, then renamed over the file, so
/// a crash mid-write leaves the previous snapshot whole. A snapshot over `maxFileBytes` is not
/// written. At start it reads the file and seeds the store, so `fastest` ranks providers by
/// what it measured before the restart instead of by priority. A missing, oversized or corrupt
/// file costs one `benchmarks.load_failed` warning and an empty start. An empty path turns all
/// of this off. It starts after the store, so it stops before it and its last snapshot is
/// complete. Each snapshot records the node's region (`server.region`), and one recorded in
/// another region is not read (`benchmarks.load_failed`, "measured in region …"): a node's
/// prior is what it measured itself.
///
/// It also keeps the hourly history (`BenchmarkHistoryPoint`): when an hour of the store's
/// windows ends, that hour is written to `<benchmarks.data_dir>/history/<region>/`; points
/// older than 24 h are deleted, and the rest are read back at start (`history`). An empty
/// `data_dir` turns the history off.
public struct BenchmarkPersistence: GenServer {
    public enum Call: Sendable {
        /// Writes a snapshot now; replies whether one was written.
        case snapshotNow
        /// Writes the hour in progress as a history point now (it is rewritten whole when the
        /// hour ends); replies whether one was written. For tests and operators.
        case historyNow
    }

    public typealias Reply = Bool

    public enum Info: Sendable {
        case snapshot
        /// A monotonic hour ended: its window becomes a history point.
        case hourEnded
    }

    /// Why a file could not be read or written: the text of the warning's `reason`.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case missing
        case tooLarge(Int)
        case corrupt
        case unsupportedVersion(Int)
        case writeFailed(Int32)
        case otherRegion(String)

        var description: String {
            switch self {
            case .missing: "no such file"
            case .tooLarge(let bytes): "\(bytes) bytes is over the \(BenchmarkPersistence.maxFileBytes) byte limit"
            case .corrupt: "not a benchmark snapshot"
            case .unsupportedVersion(let version): "unsupported snapshot version \(version)"
            case .writeFailed(let code): "write failed: \(String(cString: strerror(code)))"
            case .otherRegion(let region): "measured in region \(region), not this node's"
            }
        }
    }

    /// The largest file read or written: 16 MiB, far above what the store's key caps allow for
    /// any realistic number of chains, and small enough to read at start without concern.
    public static let maxFileBytes = 16 << 20

    let path: String
    let interval: Duration
    let names: ProcessNames
    let chains: @Sendable () -> [String]
    let logger: Logger
    /// This node's region: written into each snapshot, and a snapshot of another is not read.
    let region: String?
    /// Where history points go (`benchmarks.data_dir`); empty: no history.
    let dataDir: String
    /// The last 24 h of points, oldest first, as read at start and written since.
    private(set) var history: [BenchmarkHistoryPoint] = []
    private var timer: TimerHandle?
    private var hourTimer: TimerHandle?

    public init(config: BenchmarksConfig, names: ProcessNames, chains: @escaping @Sendable () -> [String],
                logger: Logger, region: String? = nil) {
        self.region = region
        dataDir = config.dataDir
        path = config.persistencePath
        interval = max(.seconds(1), config.snapshotInterval)
        self.names = names
        self.chains = chains
        self.logger = logger
    }

    /// The last 24 h of history points, oldest first (what the dashboard draws).
    public static let historyCall = ServerCall<BenchmarkPersistence, [BenchmarkHistoryPoint]> { server, _ in server.history }

    /// The permanent worker `BenchmarkPersistence`, registered in `names`; start it after the
    /// `BenchmarkStore`.
    public static func childSpec(config: BenchmarksConfig, names: ProcessNames,
                                 chains: @escaping @Sendable () -> [String], logger: Logger,
                                 region: String? = nil) -> ChildSpec {
        ChildSpec(id: "BenchmarkPersistence", name: names.name("BenchmarkPersistence")) { runtime in
            try await ServerRef.start(label: "BenchmarkPersistence", runtime: runtime) {
                BenchmarkPersistence(config: config, names: names, chains: chains, logger: logger, region: region)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        if !dataDir.isEmpty {
            history = BenchmarkHistoryPoint.load(from: historyDirectory, region: region,
                                                 nowMs: RFC3339Timestamp.nowUnixMillis())
            hourTimer = context.sendAfter(.hourEnded, after: Self.untilNextHour(context))
        }
        guard !path.isEmpty else { return }
        switch Self.load(path: path, region: region) {
        case .success(let snapshot):
            names.benchmarkStore?.cast(.seed(snapshot))
        case .failure(let failure):
            logger.log(.warning, "benchmarks.load_failed", ["path": .string(path), "reason": .string(failure.description)])
        }
        timer = context.sendAfter(.snapshot, after: interval)
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Bool {
        switch request {
        case .snapshotNow: await save()
        case .historyNow: await recordHour(hoursAgo: 0, context: context)
        }
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .snapshot:
            await save()
            timer = context.sendAfter(.snapshot, after: interval)
        case .hourEnded:
            await recordHour(hoursAgo: 1, context: context)
            hourTimer = context.sendAfter(.hourEnded, after: Self.untilNextHour(context))
        }
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        timer?.cancel()
        hourTimer?.cancel()
        await save()
    }

    var historyDirectory: String { BenchmarkHistoryPoint.directory(dataDir: dataDir, region: region) }

    /// Time until a second after the current monotonic hour ends, when its window is complete.
    static func untilNextHour(_ context: ServerContext<Self>) -> Duration {
        let now = context.runtime.clock.now().milliseconds
        let hour = ChainBenchmarks.millisecondsPerHour
        return .milliseconds(Int64(clamping: hour - now % hour + 1_000))
    }

    /// Writes the window `hoursAgo` hours back as a point and drops points older than 24 h.
    /// An hour with no attempt writes nothing.
    private mutating func recordHour(hoursAgo: UInt64, context: ServerContext<Self>) async -> Bool {
        guard !dataDir.isEmpty, let store = names.benchmarkStore,
              case .hour(let startMonotonicMs, let chains)? = try? await store.call(.hour(chains: chains(), hoursAgo: hoursAgo))
        else { return false }
        let nowMonotonicMs = context.runtime.clock.now().milliseconds
        let nowMs = RFC3339Timestamp.nowUnixMillis()
        // The window's start on the wall clock, to the second, so a point written while the
        // hour runs and the one written when it ends share a file.
        let exactStart = nowMs - Int64(clamping: nowMonotonicMs &- startMonotonicMs)
        let start = (exactStart + 500) / 1_000 * 1_000
        history.removeAll { $0.startMs == start || $0.endMs <= nowMs - BenchmarkHistoryPoint.retentionMs }
        BenchmarkHistoryPoint.prune(directory: historyDirectory, nowMs: nowMs)
        guard !chains.isEmpty else { return false }
        let point = BenchmarkHistoryPoint(region: region, startMs: start,
                                          endMs: start + Int64(ChainBenchmarks.millisecondsPerHour), chains: chains)
        do {
            try BenchmarkHistoryPoint.write(point, into: historyDirectory)
        } catch {
            logger.log(.warning, "benchmarks.history_failed", ["path": .string(historyDirectory), "reason": .string("\(error)")])
            return false
        }
        history.append(point)
        history.sort { $0.startMs < $1.startMs }
        return true
    }

    private func save() async -> Bool {
        guard !path.isEmpty, let store = names.benchmarkStore,
              case .snapshot(var snapshot)? = try? await store.call(.snapshot(chains: chains())) else { return false }
        snapshot.region = region
        do {
            try Self.write(snapshot, to: path)
            return true
        } catch {
            logger.log(.warning, "benchmarks.save_failed", ["path": .string(path), "reason": .string("\(error)")])
            return false
        }
    }

    /// Writes `snapshot` to `<path>.tmp` and renames it over `path`.
    static func write(_ snapshot: BenchmarkSnapshot, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try write(data: try encoder.encode(snapshot), to: path)
    }

    /// Writes `data` to `<path>.tmp` and renames it over `path`.
    static func write(data: Data, to path: String) throws {
        guard data.count <= maxFileBytes else { throw Failure.tooLarge(data.count) }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw Failure.writeFailed(errno)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure.writeFailed(code)
        }
    }

    /// The snapshot at `path` measured in `region`, or why there is none.
    static func load(path: String, region: String? = nil) -> Result<BenchmarkSnapshot, Failure> {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return .failure(.missing) }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxFileBytes else { return .failure(.tooLarge(size)) }
        guard let data = FileManager.default.contents(atPath: path),
              let snapshot = try? JSONDecoder().decode(BenchmarkSnapshot.self, from: data) else {
            return .failure(.corrupt)
        }
        guard snapshot.version == BenchmarkSnapshot.currentVersion else {
            return .failure(.unsupportedVersion(snapshot.version))
        }
        guard Region.name(snapshot.region) == Region.name(region) else {
            return .failure(.otherRegion(Region.name(snapshot.region)))
        }
        return .success(snapshot)
    }
}

extension ProcessNames {
    /// The process that keeps the benchmark snapshot and history, if it runs.
    public var benchmarkPersistence: ServerRef<BenchmarkPersistence>? {
        server("BenchmarkPersistence", as: BenchmarkPersistence.self)
    }
}
