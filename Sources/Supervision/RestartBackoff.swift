/// An optional delay before restarting a child that keeps failing: exponential with jitter,
/// forgotten once the child has run for `resetAfter`.
///
/// The delay is scheduled as a message to the supervisor, never slept, so the supervisor keeps
/// answering calls (including a shutdown) while a child waits.
public struct RestartBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// Fraction of the delay that is randomised, 0...1 (0.2 = ±20 %).
    public var jitter: Double
    /// A child that ran at least this long before exiting restarts with `initial` again.
    public var resetAfter: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(30),
                multiplier: Double = 2, jitter: Double = 0.2, resetAfter: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
        self.resetAfter = resetAfter
    }

    /// The delay before restart number `attempt` (0-based since the last reset). `random` is a
    /// uniform sample in 0..<1, passed in so the policy stays a pure function.
    public func delay(attempt: Int, random: Double) -> Duration {
        let base = Double(initial.nanoseconds) * pow(multiplier, Double(min(attempt, 64)))
        let capped = min(base, Double(maximum.nanoseconds))
        let spread = capped * jitter * (2 * random - 1)
        let jittered = min(Double(maximum.nanoseconds), max(0, capped + spread))
        return .nanoseconds(Int64(min(jittered, Double(Int64.max).nextDown)))
    }

    /// The attempt number after a child that ran for `uptime` exited.
    public func nextAttempt(previous: Int, uptime: Duration) -> Int {
        uptime >= resetAfter ? 0 : previous + 1
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 { result *= base; remaining -= 1 }
    return result
}
