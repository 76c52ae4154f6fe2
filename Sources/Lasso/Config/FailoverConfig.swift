/// A chain's `failover:` — subscription failover, and per-chain overrides of the backfill
/// settings of `subscriptions:`.
///
/// Read through `SubscriptionSettings` when the chain starts: the backfill overrides by each
/// key's `StreamCoordinator`, `enabled` by the `UpstreamSubscriptionPool` (false keeps a key on
/// the provider it was first placed on).
public struct FailoverConfig: Sendable, Equatable {
    /// Most blocks backfilled for this chain after a switch; nil (absent) takes
    /// `subscriptions.max_backfill_blocks`.
    public var maxBackfillBlocks: Int?
    /// Time allowed for a backfill (key `backfill_timeout`, ms); nil (absent) takes
    /// `subscriptions.backfill_timeout_ms`.
    public var backfillTimeout: Duration?
    /// Whether subscriptions fail over to another provider at all. Default true.
    public var enabled: Bool

    /// Creates a failover section; the defaults are those of an absent `failover:`.
    public init(maxBackfillBlocks: Int? = nil, backfillTimeout: Duration? = nil, enabled: Bool = true) {
        self.maxBackfillBlocks = maxBackfillBlocks
        self.backfillTimeout = backfillTimeout
        self.enabled = enabled
    }

    static let keys = ["max_backfill_blocks", "backfill_timeout", "enabled"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        self.init(maxBackfillBlocks: decoder.int(fields, "max_backfill_blocks", in: 0...Int.max),
                  backfillTimeout: decoder.milliseconds(fields, "backfill_timeout", in: 1...Int.max),
                  enabled: decoder.bool(fields, "enabled") ?? FailoverConfig().enabled)
    }
}
