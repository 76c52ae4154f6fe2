/// The numbers a `CircuitBreakerMachine` decides with: `circuit_breaker` in `config/chains.yml`
/// plus the rate-limit cooldown schedule.
///
/// Values are clamped to sane minimums at construction (a threshold of zero would open or close
/// the breaker on no evidence), so a machine built from any policy behaves.
public struct CircuitBreakerPolicy: Equatable, Sendable {
    /// Consecutive provider faults that open a closed breaker (`failure_threshold`, default 5).
    public var failureThreshold: Int
    /// How long an opened breaker stays open before its timer moves it to half-open
    /// (`recovery_timeout_ms`, default 60 s); never negative.
    public var recoveryTimeout: Duration
    /// Successful half-open trials that close the breaker (`success_threshold`, default 2).
    public var successThreshold: Int
    /// Cooldown after a rate limit that carried no `Retry-After`, for the first in a streak.
    /// Doubles with each further rate limit until a success, up to `maxRateLimitCooldown`.
    public var baseRateLimitCooldown: Duration
    /// Ceiling of the doubling cooldown used when the provider gave no `Retry-After`.
    public var maxRateLimitCooldown: Duration
    /// Ceiling on an honoured `Retry-After`, so a provider cannot park itself for a day by
    /// sending a huge value; past this the breaker's own recovery machinery is the better tool.
    public var maxRetryAfter: Duration

    /// A policy with the documented defaults, overridable one by one.
    public init(
        failureThreshold: Int = 5,
        recoveryTimeout: Duration = .seconds(60),
        successThreshold: Int = 2,
        baseRateLimitCooldown: Duration = .seconds(1),
        maxRateLimitCooldown: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(300)
    ) {
        self.failureThreshold = max(1, failureThreshold)
        self.recoveryTimeout = max(.zero, recoveryTimeout)
        self.successThreshold = max(1, successThreshold)
        self.baseRateLimitCooldown = max(.milliseconds(1), baseRateLimitCooldown)
        self.maxRateLimitCooldown = max(self.baseRateLimitCooldown, maxRateLimitCooldown)
        self.maxRetryAfter = max(.zero, maxRetryAfter)
    }

    /// The cooldown for the `streak`-th consecutive rate limit (1-based): the provider's
    /// `Retry-After` when it sent one, else `base × 2^(streak−1)`, capped.
    public func rateLimitCooldown(streak: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(max(.zero, retryAfter), maxRetryAfter) }
        // Doubling stops at the ceiling, so the product never grows past it.
        var cooldown = baseRateLimitCooldown
        for _ in 0..<min(max(streak - 1, 0), 64) where cooldown < maxRateLimitCooldown { cooldown *= 2 }
        return min(cooldown, maxRateLimitCooldown)
    }
}
