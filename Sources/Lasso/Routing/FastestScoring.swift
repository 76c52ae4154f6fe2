/// The `fastest` strategy's scoring rule: the expected cost, in milliseconds, of sending a
/// request to a channel. Lower is better.
///
/// ```
/// n  = samples, s = successes, L = EWMA latency (ms)
/// L₀ = priorLatencyFactor × (slowest measured L among this request's candidates)
/// L' = (s·L + k·L₀) / (s + k)                       k = priorWeight
/// S' = (s + k·priorSuccessRate) / (n + k)
/// cost = L' + (1 − S') × failurePenaltyMs
/// ```
/// Latency is blended by successes only: `L` averages successful attempts, so failures are
/// evidence about reliability, not speed.
///
/// Why this shape:
/// - **Confidence.** Measurements are blended with `k` pseudo-samples of a pessimistic prior
///   (twice the slowest measured candidate). Against a channel measured 100 times at 50 ms
///   (cost ≈ 56), one lucky 10 ms sample costs 82 + 80 = 162 and loses; a channel that keeps
///   answering in 10 ms overtakes it at its 13th sample, and one only slightly faster needs
///   more evidence than that.
/// - **Unmeasured channels** score exactly the prior, so they rank behind measured ones that
///   are not terrible, and when nothing is measured every candidate ties and the tie-break
///   (priority, then id) decides: `fastest` falls back to `priority`.
/// - **Failures** cost their probability times a failover penalty (the failed attempt plus
///   another round trip, often a timeout), so a fast channel that fails one request in five
///   loses to a slightly slower reliable one.
public struct FastestScoring: Equatable, Sendable {
    /// Pseudo-samples of prior blended into every channel's measurements.
    public var priorWeight: Double
    /// The prior latency as a multiple of the slowest measured candidate.
    public var priorLatencyFactor: Double
    /// The success rate assumed before any measurement.
    public var priorSuccessRate: Double
    /// What a failed attempt costs, in milliseconds, beyond its latency.
    public var failurePenaltyMs: Double

    /// The documented defaults (k = 4, factor 2, 90 %, 1 000 ms), overridable one by one.
    public init(
        priorWeight: Double = 4,
        priorLatencyFactor: Double = 2,
        priorSuccessRate: Double = 0.9,
        failurePenaltyMs: Double = 1_000
    ) {
        self.priorWeight = max(0, priorWeight)
        self.priorLatencyFactor = max(1, priorLatencyFactor)
        self.priorSuccessRate = min(1, max(0, priorSuccessRate))
        self.failurePenaltyMs = max(0, failurePenaltyMs)
    }

    /// The prior latency for a request whose slowest measured candidate averages
    /// `slowestMeasuredLatencyMs`.
    public func priorLatencyMs(slowestMeasuredLatencyMs: Double) -> Double {
        priorLatencyFactor * slowestMeasuredLatencyMs
    }

    /// The expected cost of `performance` against a prior latency of `priorLatencyMs`.
    public func cost(_ performance: ChannelPerformance, priorLatencyMs: Double) -> Double {
        let n = Double(performance.samples)
        let s = Double(performance.successes)
        let latencyWeight = s + priorWeight
        let latency = latencyWeight > 0
            ? (s * performance.latencyMs + priorWeight * priorLatencyMs) / latencyWeight
            : priorLatencyMs
        let rateWeight = n + priorWeight
        let successRate = rateWeight > 0 ? (s + priorWeight * priorSuccessRate) / rateWeight : priorSuccessRate
        return latency + (1 - successRate) * failurePenaltyMs
    }
}
