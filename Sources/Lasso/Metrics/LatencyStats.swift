/// Latency figures of one metric key over a period, in milliseconds.
public struct LatencyStats: Equatable, Sendable {
    /// Exponentially weighted moving average of recent successful attempts: the figure
    /// `fastest` ranks by, because it follows a provider that just got slower within a few
    /// requests while percentiles over an hour would not.
    public var ewmaMs: Double
    /// Mean over the period.
    public var meanMs: Double
    /// Median over the period, within ±6.25 % (see `LatencyHistogram`).
    public var p50Ms: Double
    /// 95th percentile over the period, within ±6.25 %.
    public var p95Ms: Double
    /// 99th percentile over the period, within ±6.25 %.
    public var p99Ms: Double

    /// Latency figures as given.
    public init(ewmaMs: Double, meanMs: Double, p50Ms: Double, p95Ms: Double, p99Ms: Double) {
        self.ewmaMs = ewmaMs
        self.meanMs = meanMs
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
    }
}
