/// `benchmarks:` — where `BenchmarkPersistence` keeps the benchmark summary across restarts.
public struct BenchmarksConfig: Sendable, Equatable {
    /// The JSON file written each interval and at shutdown, and read at start. Default `""`:
    /// nothing is read or written (the measurements start empty at every start).
    public var persistencePath: String
    /// Time between snapshots. Default 3 600 000 ms (hourly).
    public var snapshotIntervalMs: Int

    /// Creates a benchmarks section; the defaults are those of an absent `benchmarks:`.
    public init(persistencePath: String = "", snapshotIntervalMs: Int = 3_600_000) {
        self.persistencePath = persistencePath
        self.snapshotIntervalMs = snapshotIntervalMs
    }

    static let keys = ["persistence_path", "snapshot_interval_ms"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = BenchmarksConfig()
        var path = decoder.string(fields, "persistence_path", nonEmpty: false) ?? defaults.persistencePath
        if path.hasSuffix("/") {
            decoder.report(fields.path("persistence_path"), "must name a file, not a directory",
                           line: fields.values["persistence_path"]?.line)
            path = defaults.persistencePath
        }
        self.init(persistencePath: path,
                  snapshotIntervalMs: decoder.int(fields, "snapshot_interval_ms", in: 1_000...86_400_000)
                      ?? defaults.snapshotIntervalMs)
    }
}
