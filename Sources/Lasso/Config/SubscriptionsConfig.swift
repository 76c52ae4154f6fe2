/// `subscriptions:` — limits for WebSocket subscription multiplexing and gap filling.
///
/// Read when a chain starts: `subscription_timeout_ms` by the `UpstreamSubscriptionPool`, the
/// backfill settings and `enable_gap_filling` by each key's `StreamCoordinator` through
/// `SubscriptionSettings` (where a chain's `failover:` may override them); `max_per_connection`
/// by the client WebSocket endpoint at each `eth_subscribe`.
public struct SubscriptionsConfig: Sendable, Equatable {
    /// Most blocks backfilled over HTTP after an upstream switch. Default 32.
    public var maxBackfillBlocks: Int
    /// Time allowed for one backfill (`backfill_timeout_ms`). Default 30 s.
    public var backfillTimeout: Duration
    /// Time an upstream has to confirm `eth_subscribe` (`subscription_timeout_ms`). Default 10 s.
    public var subscriptionTimeout: Duration
    /// Backfill missed blocks/logs when switching upstreams. Default true.
    public var enableGapFilling: Bool
    /// Subscriptions one client WebSocket may hold; one more is refused with -32005.
    /// Default 128, at most `maxPerConnectionLimit`.
    public var maxPerConnection: Int

    /// The largest `max_per_connection` accepted: every subscription costs the endpoint a table
    /// entry per connection, so one socket cannot claim an unbounded share.
    public static let maxPerConnectionLimit = 4_096

    /// Creates a subscriptions section; the defaults are those of an absent `subscriptions:`.
    public init(maxBackfillBlocks: Int = 32, backfillTimeout: Duration = .seconds(30),
                subscriptionTimeout: Duration = .seconds(10),
                enableGapFilling: Bool = true, maxPerConnection: Int = 128) {
        self.maxBackfillBlocks = maxBackfillBlocks
        self.backfillTimeout = backfillTimeout
        self.subscriptionTimeout = subscriptionTimeout
        self.enableGapFilling = enableGapFilling
        self.maxPerConnection = maxPerConnection
    }

    static let keys = ["max_backfill_blocks", "backfill_timeout_ms", "subscription_timeout_ms", "enable_gap_filling",
                       "max_per_connection"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = SubscriptionsConfig()
        self.init(maxBackfillBlocks: decoder.int(fields, "max_backfill_blocks", in: 0...Int.max) ?? defaults.maxBackfillBlocks,
                  backfillTimeout: decoder.milliseconds(fields, "backfill_timeout_ms", in: 1...Int.max)
                      ?? defaults.backfillTimeout,
                  subscriptionTimeout: decoder.milliseconds(fields, "subscription_timeout_ms", in: 1...Int.max)
                      ?? defaults.subscriptionTimeout,
                  enableGapFilling: decoder.bool(fields, "enable_gap_filling") ?? defaults.enableGapFilling,
                  maxPerConnection: decoder.int(fields, "max_per_connection", in: 1...Self.maxPerConnectionLimit)
                      ?? defaults.maxPerConnection)
    }
}
