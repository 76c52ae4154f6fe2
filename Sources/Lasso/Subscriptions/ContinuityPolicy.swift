/// How strictly a key's stream is kept continuous: `subscriptions.enable_gap_filling` decides.
///
/// Failure detection and failover do not depend on it (they do not change what a stream
/// contains); this only decides what continuity does with the events themselves.
public enum ContinuityPolicy: Sendable, Equatable {
    /// Every event is judged: duplicates and stale events are dropped, a reorg is delivered as
    /// geth does, and a gap is reported so that the missing blocks are fetched before the event.
    case gapFilling
    /// Every event of the current upstream is delivered unchanged (lassod's behaviour before gap
    /// filling); what was delivered is still recorded, for status.
    case passThrough

    /// `gapFilling` when `enableGapFilling`, else `passThrough`.
    public init(enableGapFilling: Bool) {
        self = enableGapFilling ? .gapFilling : .passThrough
    }
}
