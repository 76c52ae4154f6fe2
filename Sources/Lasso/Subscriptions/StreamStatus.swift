/// How one subscription key's stream is doing: what `lassod ctl status`, the chain status API
/// and `/metrics` show. Written by the key's `StreamCoordinator` into the `SubscriptionTable`,
/// read from there without asking any process.
public struct StreamStatus: Sendable, Equatable {
    /// Where the key's stream is in its life.
    public enum Phase: String, Sendable {
        /// Waiting for its first upstream subscription.
        case placing
        /// Events flow from `provider`.
        case live
        /// The upstream was lost; a replacement is being placed.
        case recovering
        /// Fetching blocks the stream missed; live events are held meanwhile.
        case backfilling
    }

    /// The last failover, as it ended (or as it stands while it runs).
    public struct Failover: Sendable, Equatable {
        public var reason: String
        public var from: String?
        public var to: String?
        /// Milliseconds from the loss to the stream being live again; nil while it runs.
        public var durationMs: Int?
        public var backfilled: Int = 0
        public var skipped: Int = 0
    }

    public let key: SubscriptionKey
    public var provider: String?
    public var phase: Phase = .placing
    /// Confirmed clients and clients waiting for their answer.
    public var clients = 0
    public var pending = 0
    /// The last block delivered: the header's for `newHeads`, the last log's for `logs`.
    public var lastBlock: UInt64?
    /// `logs` only: blocks through this one have had all their matching logs delivered.
    public var completeThrough: UInt64?
    public var lastFailover: Failover?
    public var counters = StreamCounters()

    public init(key: SubscriptionKey) {
        self.key = key
    }
}
