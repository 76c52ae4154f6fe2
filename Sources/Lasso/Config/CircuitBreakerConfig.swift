/// `circuit_breaker:` — thresholds shared by every provider's per-transport breaker.
public struct CircuitBreakerConfig: Sendable, Equatable {
    /// Consecutive provider faults that open a closed breaker. Default 5.
    public var failureThreshold: Int
    /// Time an open breaker waits before going half-open (`recovery_timeout_ms`). Default 60 s.
    public var recoveryTimeout: Duration
    /// Successful half-open trials that close the breaker. Default 2.
    public var successThreshold: Int

    /// Creates a breaker section; the defaults are those of an absent `circuit_breaker:`.
    public init(failureThreshold: Int = 5, recoveryTimeout: Duration = .seconds(60), successThreshold: Int = 2) {
        self.failureThreshold = failureThreshold
        self.recoveryTimeout = recoveryTimeout
        self.successThreshold = successThreshold
    }

    static let keys = ["failure_threshold", "recovery_timeout_ms", "success_threshold"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = CircuitBreakerConfig()
        self.init(failureThreshold: decoder.int(fields, "failure_threshold", in: 1...Int.max) ?? defaults.failureThreshold,
                  recoveryTimeout: decoder.milliseconds(fields, "recovery_timeout_ms", in: 1...Int.max)
                      ?? defaults.recoveryTimeout,
                  successThreshold: decoder.int(fields, "success_threshold", in: 1...Int.max) ?? defaults.successThreshold)
    }
}
