/// The phase of a circuit breaker without its counters: what dashboards, metrics and
/// `Selection` need. Raw values are the spellings used in logs, metrics and the admin protocol.
public enum BreakerPhase: String, Sendable, CaseIterable, Codable {
    /// Traffic flows; consecutive provider faults are being counted.
    case closed
    /// Recovering: one trial request at a time decides whether to close or reopen.
    case halfOpen = "half_open"
    /// Tripped by faults; no traffic until the recovery timer fires.
    case open
    /// Held open by an operator; only an operator closes it.
    case forcedOpen = "forced_open"

    /// Whether `Selection` may route to a channel in this phase at all.
    public var admitsTraffic: Bool { self == .closed || self == .halfOpen }
}
