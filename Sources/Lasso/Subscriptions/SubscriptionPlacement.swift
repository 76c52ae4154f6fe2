import Supervision

/// Where an upstream subscription goes: the policy half of `UpstreamSubscriptionPool`.
///
/// Candidates are the providers whose WebSocket is connected now (the board publishes a `ws`
/// channel only while its `WSConnection` is up), eligible by the same rules as unary traffic
/// (breaker not open, no rate-limit cooldown, not lagging when a fresher one exists, not known
/// to lack `eth_subscribe`), in priority order, minus the providers already tried for this
/// placement.
public enum SubscriptionPlacement {
    /// The providers to try, best first; empty when no connected WebSocket is eligible.
    public static func providers(_ snapshot: ChainSnapshot, now: RuntimeInstant,
                                 excluding tried: Set<String>) -> [String] {
        Selection.orderedSlots(snapshot, method: "eth_subscribe", strategy: .priority, now: now, transport: .ws)
            .map { snapshot.channel(atSlot: $0).providerID }
            .filter { !tried.contains($0) }
    }
}
