/// `subscriptions:` — limits for WebSocket subscription multiplexing and gap filling.
///
/// Only `subscription_timeout_ms` is applied today; the backfill settings are read and
/// validated for the gap-filling `StreamCoordinator`s, still to come.
public struct SubscriptionsConfig: Sendable, Equatable {
    /// Most blocks backfilled over HTTP after an upstream switch. Default 32.
    public var maxBackfillBlocks: Int
    /// Time allowed for one backfill. Default 30 000 ms.
    public var backfillTimeoutMs: Int
    /// Time an upstream has to confirm `eth_subscribe`. Default 10 000 ms.
    public var subscriptionTimeoutMs: Int
    /// Backfill missed blocks/logs when switching upstreams. Default true.
    public var enableGapFilling: Bool

    /// Creates a subscriptions section; the defaults are those of an absent `subscriptions:`.
    public init(maxBackfillBlocks: Int = 32, backfillTimeoutMs: Int = 30_000, subscriptionTimeoutMs: Int = 10_000,
                enableGapFilling: Bool = true) {
        self.maxBackfillBlocks = maxBackfillBlocks
        self.backfillTimeoutMs = backfillTimeoutMs
        self.subscriptionTimeoutMs = subscriptionTimeoutMs
        self.enableGapFilling = enableGapFilling
    }

    static let keys = ["max_backfill_blocks", "backfill_timeout_ms", "subscription_timeout_ms", "enable_gap_filling"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = SubscriptionsConfig()
        self.init(maxBackfillBlocks: decoder.int(fields, "max_backfill_blocks", in: 0...Int.max) ?? defaults.maxBackfillBlocks,
                  backfillTimeoutMs: decoder.int(fields, "backfill_timeout_ms", in: 1...Int.max) ?? defaults.backfillTimeoutMs,
                  subscriptionTimeoutMs: decoder.int(fields, "subscription_timeout_ms", in: 1...Int.max)
                      ?? defaults.subscriptionTimeoutMs,
                  enableGapFilling: decoder.bool(fields, "enable_gap_filling") ?? defaults.enableGapFilling)
    }
}
