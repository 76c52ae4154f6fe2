/// A chain's `failover:` — subscription failover and its backfill.
///
/// Read and validated, but not applied yet: backfill belongs to the gap-filling
/// `StreamCoordinator`s, still to come, and subscriptions always fail over (see
/// `UpstreamSubscriptionPool`), whatever `enabled` says.
public struct FailoverConfig: Sendable, Equatable {
    /// Most blocks backfilled for this chain after a switch. Default 100.
    public var maxBackfillBlocks: Int
    /// Time allowed for a backfill (key `backfill_timeout`, ms). Default 30 000.
    public var backfillTimeoutMs: Int
    /// Whether subscriptions fail over to another provider at all. Default true.
    public var enabled: Bool

    /// Creates a failover section; the defaults are those of an absent `failover:`.
    public init(maxBackfillBlocks: Int = 100, backfillTimeoutMs: Int = 30_000, enabled: Bool = true) {
        self.maxBackfillBlocks = maxBackfillBlocks
        self.backfillTimeoutMs = backfillTimeoutMs
        self.enabled = enabled
    }

    static let keys = ["max_backfill_blocks", "backfill_timeout", "enabled"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = FailoverConfig()
        self.init(maxBackfillBlocks: decoder.int(fields, "max_backfill_blocks", in: 0...Int.max) ?? defaults.maxBackfillBlocks,
                  backfillTimeoutMs: decoder.int(fields, "backfill_timeout", in: 1...Int.max) ?? defaults.backfillTimeoutMs,
                  enabled: decoder.bool(fields, "enabled") ?? defaults.enabled)
    }
}
