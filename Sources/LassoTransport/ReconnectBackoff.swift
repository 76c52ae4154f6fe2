/// How long a reconnecting client waits before attempt `n`: the first retry is immediate, later
/// ones grow geometrically up to a cap, each spread by random jitter so that many clients
/// dropped at once do not reconnect in lock-step.
///
/// ```swift
/// let backoff = ReconnectBackoff(initial: 0.5, multiplier: 2, maximum: 30, jitter: 0.2)
/// backoff.delay(attempt: 0, random: 0.7)  // 0 — immediate
/// backoff.delay(attempt: 1, random: 0.5)  // 0.5
/// backoff.delay(attempt: 3, random: 0.5)  // 2.0
/// backoff.delay(attempt: 20, random: 0.99) // ≤ 30
/// ```
/// A pure function of its inputs; the caller supplies the random number.
public struct ReconnectBackoff: Sendable, Equatable {
    /// Seconds before the second attempt (the first is immediate).
    public var initial: Double
    /// Growth factor per further attempt.
    public var multiplier: Double
    /// Upper bound for any delay, jitter included.
    public var maximum: Double
    /// Fraction of the delay added or removed at random (0.2 → ±20 %).
    public var jitter: Double

    /// A policy; the defaults give 0, 0.5, 1, 2, 4 … 30 s (±20 %).
    public init(initial: Double = 0.5, multiplier: Double = 2, maximum: Double = 30, jitter: Double = 0.2) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Seconds to wait before reconnect attempt `attempt` (0-based); `random` is uniform in [0, 1).
    public func delay(attempt: Int, random: Double) -> Double {
        guard attempt > 0 else { return 0 }
        var base = initial
        for _ in 1..<min(attempt, 64) {
            base *= multiplier
            if base >= maximum { break }
        }
        base = min(base, maximum)
        let spread = base * jitter * (2 * min(max(random, 0), 1) - 1)
        return min(max(base + spread, 0), maximum)
    }
}
