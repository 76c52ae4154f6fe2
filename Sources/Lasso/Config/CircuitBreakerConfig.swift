/// `circuit_breaker:` — thresholds shared by every provider's per-transport breaker.
public struct CircuitBreakerConfig: Sendable, Equatable {
    /// Consecutive provider faults that open a closed breaker. Default 5.
    public var failureThreshold: Int
    /// Time an open breaker waits before going half-open. Default 60 000 ms.
    public var recoveryTimeoutMs: Int
    /// Successful half-open trials that close the breaker. Default 2.
    public var successThreshold: Int

    /// Creates a breaker section; the defaults are those of an absent `circuit_breaker:`.
    public init(failureThreshold: Int = 5, recoveryTimeoutMs: Int = 60_000, successThreshold: Int = 2) {
        self.failureThreshold = failureThreshold
        self.recoveryTimeoutMs = recoveryTimeoutMs
        self.successThreshold = successThreshold
    }

    static let keys = ["failure_threshold", "recovery_timeout_ms", "success_threshold"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = CircuitBreakerConfig()
        self.init(failureThreshold: decoder.int(fields, "failure_threshold", in: 1...Int.max) ?? defaults.failureThreshold,
                  recoveryTimeoutMs: decoder.int(fields, "recovery_timeout_ms", in: 1...Int.max) ?? defaults.recoveryTimeoutMs,
                  successThreshold: decoder.int(fields, "success_threshold", in: 1...Int.max) ?? defaults.successThreshold)
    }
}
