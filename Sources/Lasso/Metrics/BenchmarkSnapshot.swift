/// What `BenchmarkPersistence` writes to disk and reads back: per chain, per measured key, the
/// counts and latency figures over the store's retention.
///
/// A summary, not the store: hourly windows and histograms are folded into totals, a mean and
/// the EWMA, which is what `fastest` needs as a prior after a restart. Seeding a store with it
/// (`BenchmarkStore.seed`) puts the totals in the current hour with every success at the mean
/// latency. Its size is bounded by the store's key cap per chain.
///
/// ```json
/// {"version":1,"chains":{"ethereum":[{"provider":"ankr","method":"eth_call","transport":"http",
///   "successes":120,"failures":3,"mean_ms":41.5,"ewma_ms":39.2}]}}
/// ```
public struct BenchmarkSnapshot: Codable, Equatable, Sendable {
    /// What the snapshot keeps of a key besides its counts and mean.
    public struct Figures: Codable, Equatable, Sendable {
        /// The latency EWMA `fastest` ranks by; 0 with no success.
        public var ewmaMs: Double

        public init(ewmaMs: Double) { self.ewmaMs = ewmaMs }

        enum CodingKeys: String, CodingKey {
            case ewmaMs = "ewma_ms"
        }
    }

    /// One measured key.
    public typealias Entry = BenchmarkRow<Figures>

    /// The format written; a file with another version is not read.
    public static let currentVersion = 1

    public var version: Int
    /// The region whose node measured these (`server.region`); absent for a node that names
    /// none. A node reads only its own region's snapshot: latencies measured elsewhere are not
    /// its prior.
    public var region: String?
    /// Chain key → its entries, ordered by provider, method and transport.
    public var chains: [String: [Entry]]

    public init(chains: [String: [Entry]], region: String? = nil) {
        version = Self.currentVersion
        self.region = region
        self.chains = chains
    }
}
