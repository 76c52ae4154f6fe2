/// How long a reconnecting client waits before attempt `n`: the first retry is immediate, later
/// ones grow geometrically up to a cap, each spread by random jitter so that many clients
/// dropped at once do not reconnect in lock-step.
///
/// ```swift
/// let backoff = ReconnectBackoff(initial: .milliseconds(500), multiplier: 2, maximum: .seconds(30), jitter: 0.2)
/// let first = backoff.delay(attempt: 0, random: 0.7)    // .zero: immediate
/// let second = backoff.delay(attempt: 1, random: 0.5)   // 0.5 s (random 0.5: no jitter)
/// let fourth = backoff.delay(attempt: 3, random: 0.5)   // 2 s
/// let late = backoff.delay(attempt: 20, random: 0.99)   // ≤ 30 s
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
/// A pure function of its inputs; the caller supplies the random number.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The wait before the second attempt (the first is immediate).
    public var initial: Duration
    /// Growth factor per further attempt.
    public var multiplier: Double
    /// Upper bound for any delay, jitter included.
    public var maximum: Duration
    /// Fraction of the delay added or removed at random (0.2 → ±20 %).
    public var jitter: Double

    /// A policy; the defaults give 0, 0.5, 1, 2, 4 … 30 s (±20 %).
    public init(initial: Duration = .milliseconds(500), multiplier: Double = 2, maximum: Duration = .seconds(30),
                jitter: Double = 0.2) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait before reconnect attempt `attempt` (0-based); `random` is uniform in [0, 1).
    public func delay(attempt: Int, random: Double) -> Duration {
        guard attempt > 0 else { return .zero }
        // Growth and jitter are fractions: computed in seconds, returned as a duration.
        let maximum = Self.seconds(self.maximum)
        var base = Self.seconds(initial)
        for _ in 1..<min(attempt, 64) {
            base *= multiplier
            if base >= maximum { break }
        }
        base = min(base, maximum)
        let spread = base * jitter * (2 * min(max(random, 0), 1) - 1)
        let delay = min(max(base + spread, 0), maximum)
        return delay.isFinite ? .seconds(delay) : .zero
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
