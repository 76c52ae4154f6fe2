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
public struct BenchmarkPersistence: GenServer {
    public enum Call: Sendable {
        /// Writes a snapshot now; replies whether one was written.
        case snapshotNow
    }

    public typealias Reply = Bool

    public enum Info: Sendable {
        case snapshot
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
    private var timer: TimerHandle?

    public init(config: BenchmarksConfig, names: ProcessNames, chains: @escaping @Sendable () -> [String],
                logger: Logger, region: String? = nil) {
        self.region = region
        path = config.persistencePath
        interval = .milliseconds(max(1_000, config.snapshotIntervalMs))
        self.names = names
        self.chains = chains
        self.logger = logger
    }

    /// The permanent worker `BenchmarkPersistence`; start it after the `BenchmarkStore`.
    public static func childSpec(config: BenchmarksConfig, names: ProcessNames,
                                 chains: @escaping @Sendable () -> [String], logger: Logger,
                                 region: String? = nil) -> ChildSpec {
        ChildSpec(id: "BenchmarkPersistence") { runtime in
            try await ServerRef.start(label: "BenchmarkPersistence", runtime: runtime) {
                BenchmarkPersistence(config: config, names: names, chains: chains, logger: logger, region: region)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
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
        await save()
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        await save()
        timer = context.sendAfter(.snapshot, after: interval)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        timer?.cancel()
        await save()
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
        let data = try encoder.encode(snapshot)
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
