import Supervision

/// A channel's breaker phase and rate-limit cooldown as published for `Selection`
/// (see `CircuitBreakerMachine.health`).
public struct ChannelHealth: Equatable, Sendable {
    /// The breaker's phase.
    public var phase: BreakerPhase
    /// While in the future the provider asked us to back off, and the channel is skipped.
    public var cooldownUntil: RuntimeInstant?

    /// A channel in `phase`, cooling down until `cooldownUntil` if set.
    public init(phase: BreakerPhase = .closed, cooldownUntil: RuntimeInstant? = nil) {
        self.phase = phase
        self.cooldownUntil = cooldownUntil
    }

    /// A closed breaker with no cooldown.
    public static let healthy = ChannelHealth()

    /// Whether the provider asked us to back off and the requested time has not passed.
    public func isCoolingDown(at now: RuntimeInstant) -> Bool {
        guard let cooldownUntil else { return false }
        return now < cooldownUntil
    }
}
