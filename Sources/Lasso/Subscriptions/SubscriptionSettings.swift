/// The subscription settings in force for one chain: `subscriptions:` with the chain's
/// `failover:` overrides applied. One place decides which wins, so the stream processes and the
/// docs cannot disagree.
///
/// ```swift
/// let settings = SubscriptionSettings(global: config.subscriptions, chain: ethereum)
/// let cap = settings.maxBackfillBlocks   // ethereum's failover.max_backfill_blocks if set, else subscriptions.max_backfill_blocks
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct SubscriptionSettings: Equatable, Sendable {
    /// Most blocks fetched to close the gap of one failover.
    public var maxBackfillBlocks: Int
    /// Time one failover's backfill may take, from the moment the upstream was lost.
    public var backfillTimeout: Duration
    /// What continuity does with events (`subscriptions.enable_gap_filling`).
    public var continuity: ContinuityPolicy
    /// Whether a key moves to another provider when its upstream fails (`failover.enabled`).
    public var failsOver: Bool
    /// Time an upstream has to confirm `eth_subscribe`.
    public var subscriptionTimeout: Duration
    /// Subscriptions one client WebSocket may hold.
    public var maxPerConnection: Int
    /// The chain's expected block time, which paces stall detection (`StallRule`).
    public var blockTime: Duration

    /// The settings for `chain`: its `failover:` values where set, `global` otherwise.
    public init(global: SubscriptionsConfig, chain: ChainConfig) {
        maxBackfillBlocks = chain.failover.maxBackfillBlocks ?? global.maxBackfillBlocks
        backfillTimeout = chain.failover.backfillTimeout ?? global.backfillTimeout
        continuity = ContinuityPolicy(enableGapFilling: global.enableGapFilling)
        failsOver = chain.failover.enabled
        subscriptionTimeout = global.subscriptionTimeout
        maxPerConnection = global.maxPerConnection
        blockTime = chain.blockTime
    }
}
