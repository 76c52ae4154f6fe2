import Foundation

/// One hour of a node's measurements, as `BenchmarkPersistence` keeps them for the last 24 h:
/// per chain, per provider × method × transport, the attempts and latency of that hour.
///
/// Written one file per hour, `<data_dir>/history/<region>/<start_ms>.json`
/// (`local` for a node with no region), so each region keeps its own history:
///
/// ```json
/// {"version":1,"region":"eu-west","start_ms":1764082800000,"end_ms":1764086400000,
///  "chains":{"ethereum":[{"provider":"ankr","method":"eth_call","transport":"http",
///    "successes":1200,"failures":3,"mean_ms":41.5,"p50_ms":39.8,"p95_ms":88.1}]}}
/// ```
public struct BenchmarkHistoryPoint: Codable, Equatable, Sendable {
    /// What an hour keeps of a key besides its counts and mean: latency percentiles of the
    /// successes, in milliseconds; 0 with none.
    public struct Figures: Codable, Equatable, Sendable {
        public var p50Ms: Double
        public var p95Ms: Double

        public init(p50Ms: Double, p95Ms: Double) {
            self.p50Ms = p50Ms
            self.p95Ms = p95Ms
        }

        enum CodingKeys: String, CodingKey {
            case p50Ms = "p50_ms"
            case p95Ms = "p95_ms"
        }
    }

    /// One measured key in that hour.
    public typealias Entry = BenchmarkRow<Figures>

    public static let currentVersion = 1
    /// How long points are kept: 24 h.
    public static let retentionMs: Int64 = 24 * 3_600_000

    public var version: Int
    public var region: String?
    /// The hour's bounds on the wall clock (Unix milliseconds).
    public var startMs: Int64
    public var endMs: Int64
    /// Chain key → its entries, ordered by provider, method and transport.
    public var chains: [String: [Entry]]

    public init(region: String?, startMs: Int64, endMs: Int64, chains: [String: [Entry]]) {
        version = Self.currentVersion
        self.region = region
        self.startMs = startMs
        self.endMs = endMs
        self.chains = chains
    }

    enum CodingKeys: String, CodingKey {
        case version, region, chains
        case startMs = "start_ms"
        case endMs = "end_ms"
    }

    /// The directory a region's points are written to.
    public static func directory(dataDir: String, region: String?) -> String {
        "\(dataDir)/history/\(Region.name(region))"
    }

    /// Writes `point` into `directory` (created if missing) as `<start_ms>.json`, atomically.
    static func write(_ point: BenchmarkHistoryPoint, into directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try BenchmarkPersistence.write(data: try encoder.encode(point), to: "\(directory)/\(point.startMs).json")
    }

    /// The points in `directory` that end within 24 h of `nowMs`, oldest first; files older
    /// than that, and files that are not points of `region`, are deleted or skipped.
    static func load(from directory: String, region: String?, nowMs: Int64) -> [BenchmarkHistoryPoint] {
        prune(directory: directory, nowMs: nowMs)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var points: [BenchmarkHistoryPoint] = []
        for name in names where name.hasSuffix(".json") {
            let path = "\(directory)/\(name)"
            guard Int64(name.dropLast(5)) != nil, let data = FileManager.default.contents(atPath: path), data.count <= BenchmarkPersistence.maxFileBytes,
                  let point = try? JSONDecoder().decode(BenchmarkHistoryPoint.self, from: data),
                  point.version == currentVersion, Region.name(point.region) == Region.name(region) else { continue }
            points.append(point)
        }
        return points.sorted { $0.startMs < $1.startMs }
    }

    /// Deletes the points in `directory` that ended more than 24 h before `nowMs` (by name).
    static func prune(directory: String, nowMs: Int64) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".json") {
            guard let start = Int64(name.dropLast(5)), start + 3_600_000 <= nowMs - retentionMs else { continue }
            unlink("\(directory)/\(name)")
        }
    }

    /// Bytes of memory `points` hold, counted from array capacities and string storage.
    public static func approximateBytes(_ points: [BenchmarkHistoryPoint]) -> Int {
        var bytes = points.capacity * MemoryLayout<BenchmarkHistoryPoint>.stride
        for point in points {
            bytes += point.chains.capacity * (MemoryLayout<String>.stride + MemoryLayout<[Entry]>.stride) * 4 / 3
            for (chain, entries) in point.chains {
                bytes += heapBytes(chain) + entries.capacity * MemoryLayout<Entry>.stride
                for entry in entries { bytes += heapBytes(entry.provider) + heapBytes(entry.method) }
            }
        }
        return bytes
    }

    private static func heapBytes(_ string: String) -> Int {
        let utf8 = string.utf8.count
        return utf8 > 15 ? 32 + utf8 : 0
    }
}
