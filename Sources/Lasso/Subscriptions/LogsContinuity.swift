/// What a `logs` key has delivered, and the rules that judge its next log.
///
/// A log's identity is `(blockHash, logIndex)`. A filter may match nothing for hours, so the
/// stream's position is not its last log but `completeThrough`: the highest block whose
/// matching logs have all been delivered. Within one upstream's stream (`continuous`), a log of
/// block `n` proves blocks up to `n − 1` complete; so does a header of block `n` from that
/// upstream (`observeHead`). A failover backfills from `completeThrough + 1`.
///
/// Rules, for `ContinuityPolicy.gapFilling` (`n` is the log's block number):
///
/// | case | verdict |
/// |---|---|
/// | `removed: true` for a delivered log | `deliver` (the upstream retracts it; it is forgotten) |
/// | `removed: true` for anything else | `dropStale` |
/// | delivered already | `dropDuplicate` |
/// | first log of a new upstream (`continuous` false), `n > completeThrough` | `gap(completeThrough+1 … n)`: block `n` too, for its earlier logs |
/// | block `n` known under another hash | `deliverReorg`: the logs delivered from blocks ≥ `n` are orphaned |
/// | `n ≤ completeThrough` | `dropStale` |
/// | otherwise | `deliver` |
///
/// Under `passThrough` every log is delivered and still recorded.
///
/// Memory, bounded per key: block hashes of the last `windowBlocks` blocks (64 by default, the
/// reorg depth handled), and the delivered logs of those blocks up to `maxRememberedBytes`
/// (1 MiB by default) — oldest blocks forgotten first, the newest block always kept whole (its
/// size is bounded by its gas). A reorg reaching into forgotten logs says so
/// (`Reorg.incomplete`); a reorg deeper than the window is not seen.
///
/// ```swift
/// var logs = LogsContinuity()
/// let logVerdict = logs.judge(logAt100, policy: .gapFilling, continuous: true)   // .deliver
/// logs.record(logAt100, logVerdict, result: logAt100Bytes)                       // completeThrough 99
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct LogsContinuity: Equatable, Sendable {
    /// Blocks whose hashes and logs are remembered by default: the deepest reorg handled.
    public static let defaultWindowBlocks: UInt64 = 64
    /// Bytes of delivered logs remembered by default.
    public static let defaultMaxRememberedBytes = 1 << 20

    /// How many recent blocks are remembered.
    public let windowBlocks: UInt64
    /// How many bytes of delivered logs are remembered.
    public let maxRememberedBytes: Int
    /// The last log delivered.
    public private(set) var last: StreamEvent.Log?
    /// Every matching log of the blocks up to this one has been delivered (or given up, see
    /// `acceptSkip`); nil before the first log or header.
    public private(set) var completeThrough: UInt64?
    /// Block hashes as the stream knows them, for the window.
    private var canonical: [UInt64: BlockHash] = [:]
    /// Delivered logs per block, in log-index order, for the window and the byte bound.
    private var delivered: [UInt64: [DeliveredLog]] = [:]
    private var rememberedBytes = 0
    /// The highest block whose delivered logs were forgotten for the byte bound.
    private var forgottenThrough: UInt64?

    /// Nothing delivered yet.
    public init(windowBlocks: UInt64 = LogsContinuity.defaultWindowBlocks,
                maxRememberedBytes: Int = LogsContinuity.defaultMaxRememberedBytes) {
        self.windowBlocks = max(1, windowBlocks)
        self.maxRememberedBytes = max(0, maxRememberedBytes)
    }

    /// The hash block `number` has for this stream, within the window.
    public func hash(ofBlock number: UInt64) -> BlockHash? {
        canonical[number]
    }

    /// The delivered logs remembered, by block then log index.
    public var rememberedLogs: [DeliveredLog] {
        delivered.keys.sorted().flatMap { delivered[$0] ?? [] }
    }

    /// Whether this log was delivered (and is still remembered).
    public func hasDelivered(_ log: StreamEvent.Log) -> Bool {
        delivered[log.block.number]?.contains { $0.block.hash == log.block.hash && $0.logIndex == log.logIndex } ?? false
    }

    /// The verdict on `log` (see the table above). `continuous` is false for the first event
    /// of a new upstream subscription: after a failover, or when the stream's processes restarted.
    public func judge(_ log: StreamEvent.Log, policy: ContinuityPolicy, continuous: Bool) -> ContinuityVerdict {
        guard policy == .gapFilling else { return .deliver }
        if log.removed { return hasDelivered(log) ? .deliver : .dropStale }
        if hasDelivered(log) { return .dropDuplicate }
        let number = log.block.number
        if !continuous, let complete = completeThrough, number > complete { return .gap((complete + 1)...number) }
        if let known = canonical[number], known != log.block.hash { return .deliverReorg(reorg(from: number)) }
        if let complete = completeThrough, number <= complete { return .dropStale }
        return .deliver
    }

    /// Remembers `log`, whose object is `result`, when `verdict` delivers it: a reorg first
    /// forgets the orphaned blocks; a delivered retraction forgets the retracted log.
    public mutating func record(_ log: StreamEvent.Log, _ verdict: ContinuityVerdict, result: some Collection<UInt8>) {
        switch verdict {
        case .deliver, .deliverReorg:
            break
        case .dropDuplicate, .dropStale, .gap:
            return
        }
        let number = log.block.number
        if log.removed {
            forget(log)
            return
        }
        if case .deliverReorg(let reorg) = verdict { orphan(from: reorg.fromBlock) }
        canonical[number] = log.block.hash
        var logs = delivered[number] ?? []
        let position = logs.firstIndex { $0.logIndex > log.logIndex } ?? logs.endIndex
        logs.insert(DeliveredLog(block: log.block, logIndex: log.logIndex, result: Array(result)), at: position)
        delivered[number] = logs
        rememberedBytes += result.count
        if number > 0 { completeThrough = max(completeThrough ?? 0, number - 1) }
        last = log
        trim(newest: number)
    }

    /// Takes in a header of the upstream the stream follows (its liveness feed): the blocks
    /// before it are complete, and its hash (and parent hash) are the chain's. Returns the reorg
    /// when they contradict what was delivered; the caller retracts `orphaned` at once.
    public mutating func observeHead(_ head: StreamEvent.Head) -> ContinuityVerdict.Reorg? {
        let number = head.block.number
        var forkPoint: UInt64?
        if let known = canonical[number], known != head.block.hash { forkPoint = number }
        if number > 0, let known = canonical[number - 1], known != head.parentHash { forkPoint = number - 1 }
        var found: ContinuityVerdict.Reorg?
        if let forkPoint {
            found = reorg(from: forkPoint)
            orphan(from: forkPoint)
        }
        if number > 0 { canonical[number - 1] = head.parentHash }
        canonical[number] = head.block.hash
        // After a reorg, the new branch's logs are still to come: completeness restarts below it.
        if found == nil, number > 0 { completeThrough = max(completeThrough ?? 0, number - 1) }
        trim(newest: number)
        return found
    }

    /// Accepts that the logs of blocks through `number` will not be delivered.
    public mutating func acceptSkip(through number: UInt64) {
        completeThrough = max(completeThrough ?? number, number)
    }

    // MARK: - Internals

    /// The reorg that replaces blocks from `number` on.
    private func reorg(from number: UInt64) -> ContinuityVerdict.Reorg {
        let highest = max(canonical.keys.max() ?? number, delivered.keys.max() ?? number)
        let orphaned = delivered.keys.filter { $0 >= number }.sorted().flatMap { delivered[$0] ?? [] }
        return ContinuityVerdict.Reorg(fromBlock: number, depth: highest >= number ? highest - number + 1 : 1,
                                       orphaned: orphaned, incomplete: forgottenThrough.map { $0 >= number } ?? false)
    }

    /// Forgets blocks from `number` on: they are no longer the chain's.
    private mutating func orphan(from number: UInt64) {
        for block in canonical.keys where block >= number { canonical[block] = nil }
        for block in delivered.keys where block >= number { dropDelivered(block) }
        if let forgotten = forgottenThrough, forgotten >= number { forgottenThrough = number > 0 ? number - 1 : nil }
        if number > 0, let complete = completeThrough { completeThrough = min(complete, number - 1) }
        if number == 0 { completeThrough = nil }
    }

    private mutating func forget(_ log: StreamEvent.Log) {
        let number = log.block.number
        guard var logs = delivered[number],
              let index = logs.firstIndex(where: { $0.block.hash == log.block.hash && $0.logIndex == log.logIndex })
        else { return }
        rememberedBytes -= logs[index].result.count
        logs.remove(at: index)
        delivered[number] = logs.isEmpty ? nil : logs
    }

    /// Applies the window (counted back from the highest block known) and the byte bound
    /// (oldest blocks first, never the newest delivered one); `newest` is the block just taken in.
    private mutating func trim(newest: UInt64) {
        let top = max(newest, canonical.keys.max() ?? newest)
        if top >= windowBlocks {
            let oldestKept = top - windowBlocks + 1
            for block in canonical.keys where block < oldestKept { canonical[block] = nil }
            for block in delivered.keys where block < oldestKept { dropDelivered(block) }
        }
        while rememberedBytes > maxRememberedBytes, delivered.count > 1, let oldest = delivered.keys.min() {
            dropDelivered(oldest)
            forgottenThrough = max(forgottenThrough ?? oldest, oldest)
        }
    }

    private mutating func dropDelivered(_ block: UInt64) {
        rememberedBytes -= delivered[block]?.reduce(0) { $0 + $1.result.count } ?? 0
        delivered[block] = nil
    }
}
