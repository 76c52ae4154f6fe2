/// One provider's line on a chain's leaderboard: every method and transport over the
/// retention period, ranked by the same cost `fastest` uses.
public struct LeaderboardEntry: Equatable, Sendable {
    /// The provider's configured id.
    public var providerID: String
    /// Attempts counted (successes plus health failures).
    public var count: UInt64
    /// Successful attempts.
    public var successes: UInt64
    /// Mean latency of successful attempts in milliseconds; 0 with none.
    public var meanLatencyMs: Double
    /// Median latency of successful attempts in milliseconds; 0 with none.
    public var p50Ms: Double
    /// 95th percentile latency in milliseconds; 0 with none.
    public var p95Ms: Double
    /// 99th percentile latency in milliseconds; 0 with none.
    public var p99Ms: Double
    /// `FastestScoring.cost` of these figures; the board is ordered by it, lowest first.
    public var score: Double

    /// An entry as given.
    public init(providerID: String, count: UInt64, successes: UInt64, meanLatencyMs: Double,
                p50Ms: Double, p95Ms: Double, p99Ms: Double, score: Double) {
        self.providerID = providerID
        self.count = count
        self.successes = successes
        self.meanLatencyMs = meanLatencyMs
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.score = score
    }

    /// `successes / count`, or 0 with no attempts.
    public var successRate: Double { count == 0 ? 0 : Double(successes) / Double(count) }
}
