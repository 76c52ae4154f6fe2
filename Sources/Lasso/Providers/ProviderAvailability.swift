/// How usable a provider is, as `lassod ctl status` and `/api/chains/:chain/status` show it.
public enum ProviderAvailability: String, Sendable, Codable {
    /// Answering, and within the lag threshold of the best known head.
    case up
    /// Answering, but more than `lag_threshold_blocks` behind: skipped by selection.
    case lagging
    /// Answered before, but failed its last probe or two; still selectable, the breaker decides.
    case degraded
    /// Failed `downAfterFailures` probes in a row, or failed every probe since lassod started
    /// (a provider that never answered is not "degraded": there is no evidence it works).
    case down
    /// Not probed yet.
    case unknown

    /// Probes failed in a row before a provider counts as down.
    public static let downAfterFailures = 3

    /// The availability implied by a provider's probe record. Pure, so the rule is testable.
    public static func classify(consecutiveFailures: Int, lag: UInt64?, lagThreshold: UInt64,
                                probed: Bool, everAnswered: Bool = true) -> ProviderAvailability {
        guard probed else { return .unknown }
        if consecutiveFailures >= downAfterFailures || (consecutiveFailures > 0 && !everAnswered) { return .down }
        if consecutiveFailures > 0 { return .degraded }
        if let lag, lag > lagThreshold { return .lagging }
        return .up
    }
}
