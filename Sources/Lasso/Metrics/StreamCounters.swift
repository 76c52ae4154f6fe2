/// What a stream has done since its key was first subscribed; monotonic, summed per chain and
/// kind for `/metrics` (keys that retired keep counting in their table).
public struct StreamCounters: Sendable, Equatable {
    public var delivered = 0
    public var failovers = 0
    public var backfilled = 0
    public var skipped = 0
    public var duplicatesDropped = 0
    public var staleDropped = 0
    public var reorgs = 0

    public init() {}

    mutating func add(_ other: StreamCounters) {
        delivered += other.delivered
        failovers += other.failovers
        backfilled += other.backfilled
        skipped += other.skipped
        duplicatesDropped += other.duplicatesDropped
        staleDropped += other.staleDropped
        reorgs += other.reorgs
    }
}
