/// What `fastest` knows about one channel for one method: the score inputs `BenchmarkStore`
/// publishes into each `ChainSnapshot`.
public struct ChannelPerformance: Equatable, Sendable {
    /// Attempts counted (successes plus health failures) in the recent windows.
    public var samples: UInt32
    /// Of those, the successes.
    public var successes: UInt32
    /// Exponentially weighted moving average of successful attempts' latency, in milliseconds.
    public var latencyMs: Double

    /// Performance from `samples` attempts, `successes` of them successful, at `latencyMs`.
    public init(samples: UInt32, successes: UInt32, latencyMs: Double) {
        self.samples = samples
        self.successes = min(successes, samples)
        self.latencyMs = latencyMs.isFinite ? max(0, latencyMs) : 0
    }

    /// No measurements.
    public static let unmeasured = ChannelPerformance(samples: 0, successes: 0, latencyMs: 0)
}
