import Supervision

/// What `BenchmarkStore` knows about one chain/provider/method/transport over its retention.
///
/// Only outcomes that say something about the provider count (`ErrorClassification
/// .benchmarkSuccess`): successes and health failures. Latency figures cover successes only,
/// so a timeout's 30 s does not pose as the provider's speed; the failure is counted instead.
public struct MethodStats: Equatable, Sendable {
    /// Successes plus failures.
    public var count: UInt64
    /// Successful attempts.
    public var successes: UInt64
    /// Attempts that failed for the provider's reasons.
    public var failures: UInt64
    /// Latency of the successful attempts; `nil` when there were none.
    public var latency: LatencyStats?
    /// When the last attempt was recorded.
    public var lastUpdated: RuntimeInstant

    /// Stats as given.
    public init(count: UInt64, successes: UInt64, failures: UInt64, latency: LatencyStats?, lastUpdated: RuntimeInstant) {
        self.count = count
        self.successes = successes
        self.failures = failures
        self.latency = latency
        self.lastUpdated = lastUpdated
    }

    /// `successes / count`, or 0 with no attempts.
    public var successRate: Double {
        count == 0 ? 0 : Double(successes) / Double(count)
    }
}
