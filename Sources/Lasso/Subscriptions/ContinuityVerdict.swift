/// What continuity says to do with one event of a subscription key (see `StreamContinuity`).
public enum ContinuityVerdict: Equatable, Sendable {
    /// Send it to the clients.
    case deliver
    /// Send it: the chain reorganised under the stream. For logs, first send each of
    /// `reorg.orphaned` with `"removed":true` (`NotificationEnvelope.markRemoved`), in order, as
    /// geth does; headers need nothing more, the new head says it all.
    case deliverReorg(Reorg)
    /// Already delivered (same block hash, or same block hash and log index): drop it. This is
    /// how a lagging upstream's repeats are absorbed after a failover.
    case dropDuplicate
    /// Behind what was delivered, or a retraction of nothing delivered: drop it. A stream
    /// never goes backwards, and what it dropped is never replayed.
    case dropStale
    /// These blocks were never delivered: hold the event, fetch the range first (its headers,
    /// or its logs), pass each fetched event through continuity, then the held one.
    case gap(ClosedRange<UInt64>)

    /// A reorganisation met on delivery.
    public struct Reorg: Equatable, Sendable {
        /// The first block number whose hash changed.
        public var fromBlock: UInt64
        /// How many delivered blocks it replaced, as far as continuity can tell (at least 1).
        public var depth: UInt64
        /// Logs delivered from the replaced blocks, by block then log index, to retract.
        public var orphaned: [DeliveredLog]
        /// True when some logs of the replaced blocks were already forgotten (the memory bound,
        /// see `LogsContinuity`), so `orphaned` cannot retract them all.
        public var incomplete: Bool

        /// A reorg from `fromBlock`, `depth` blocks deep.
        public init(fromBlock: UInt64, depth: UInt64, orphaned: [DeliveredLog] = [], incomplete: Bool = false) {
            self.fromBlock = fromBlock
            self.depth = depth
            self.orphaned = orphaned
            self.incomplete = incomplete
        }
    }

    /// True for the verdicts whose event goes to the clients.
    public var delivers: Bool {
        switch self {
        case .deliver, .deliverReorg: true
        case .dropDuplicate, .dropStale, .gap: false
        }
    }
}
