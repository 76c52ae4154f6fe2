/// `benchmarks:` — where `BenchmarkPersistence` keeps the benchmark summary across restarts.
public struct BenchmarksConfig: Sendable, Equatable {
    /// The JSON file written each interval and at shutdown, and read at start. Default `""`:
    /// nothing is read or written (the measurements start empty at every start).
    public var persistencePath: String
    /// Time between snapshots (`snapshot_interval_ms`). Default one hour.
    public var snapshotInterval: Duration
    /// Where hourly history points go (`<data_dir>/history/<region>/`), kept 24 h and read
    /// back at start. Default `data`; `""` keeps no history.
    public var dataDir: String

    /// Creates a benchmarks section; the defaults are those of an absent `benchmarks:`.
    public init(persistencePath: String = "", snapshotInterval: Duration = .seconds(3_600), dataDir: String = "data") {
        self.persistencePath = persistencePath
        self.snapshotInterval = snapshotInterval
        self.dataDir = dataDir
    }

    static let keys = ["persistence_path", "snapshot_interval_ms", "data_dir"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = BenchmarksConfig()
        var path = decoder.string(fields, "persistence_path", nonEmpty: false) ?? defaults.persistencePath
        if path.hasSuffix("/") {
            decoder.report(fields.path("persistence_path"), "must name a file, not a directory",
                           line: fields.values["persistence_path"]?.line)
            path = defaults.persistencePath
        }
        self.init(persistencePath: path,
                  snapshotInterval: decoder.milliseconds(fields, "snapshot_interval_ms", in: 1_000...86_400_000)
                      ?? defaults.snapshotInterval,
                  dataDir: decoder.string(fields, "data_dir", nonEmpty: false) ?? defaults.dataDir)
    }
}
