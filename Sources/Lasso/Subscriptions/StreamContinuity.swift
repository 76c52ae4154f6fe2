/// A subscription key's continuity: what its clients have been sent, which decides what the
/// next event is (`ContinuityVerdict`). Pure state with no clock and no I/O, so it can live
/// outside the process that feeds it and outlast that process's restarts.
///
/// Feeding it, for each event of the key's current upstream:
/// ```swift
/// var continuity = StreamContinuity(kind: .newHeads)
/// let verdict = continuity.judge(event, policy: .gapFilling, continuous: true)
/// continuity.record(event, verdict, result: resultBytes)   // before sending: a successor never re-sends it
/// // .deliver → send; .gap(range) → fetch range first; drops → nothing
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum StreamContinuity: Equatable, Sendable {
    /// A `newHeads` key.
    case heads(HeadsContinuity)
    /// A `logs` key.
    case logs(LogsContinuity)

    /// Nothing delivered yet, for a key of `kind`.
    public init(kind: SubscriptionKey.Kind) {
        switch kind {
        case .newHeads: self = .heads(HeadsContinuity())
        case .logs: self = .logs(LogsContinuity())
        }
    }

    /// The verdict on `event` (see `HeadsContinuity` and `LogsContinuity` for the rules).
    /// `continuous` is false for the first event of a new upstream subscription; headers ignore
    /// it. An event of the other kind than the key's is `dropStale`: it cannot belong here.
    public func judge(_ event: StreamEvent, policy: ContinuityPolicy, continuous: Bool) -> ContinuityVerdict {
        switch (self, event) {
        case (.heads(let heads), .head(let head)): heads.judge(head, policy: policy)
        case (.logs(let logs), .log(let log)): logs.judge(log, policy: policy, continuous: continuous)
        default: .dropStale
        }
    }

    /// Remembers `event`, whose `result` object is `result`, as `verdict` says.
    public mutating func record(_ event: StreamEvent, _ verdict: ContinuityVerdict, result: some Collection<UInt8>) {
        switch event {
        case .head(let head): update { $0.record(head, verdict) } logs: { _ in }
        case .log(let log): update { _ in } logs: { $0.record(log, verdict, result: result) }
        }
    }

    /// Accepts that the blocks through `number` will not be delivered (a gap given up).
    public mutating func acceptSkip(through number: UInt64) {
        update { $0.acceptSkip(through: number) } logs: { $0.acceptSkip(through: number) }
    }

    /// Takes in a header of the upstream a `logs` key follows (see `LogsContinuity.observeHead`);
    /// nil for a `newHeads` key, whose headers are its events.
    public mutating func observeHead(_ head: StreamEvent.Head) -> ContinuityVerdict.Reorg? {
        var found: ContinuityVerdict.Reorg?
        update { _ in } logs: { found = $0.observeHead(head) }
        return found
    }

    /// Changes the state in place. Mutating a copy of the payload while `self` still holds the
    /// original would copy the remembered blocks and logs on every event, so `self` lets go of
    /// it first.
    private mutating func update(heads: (inout HeadsContinuity) -> Void, logs: (inout LogsContinuity) -> Void) {
        switch self {
        case .heads(var state):
            self = .logs(LogsContinuity())
            heads(&state)
            self = .heads(state)
        case .logs(var state):
            self = .heads(HeadsContinuity())
            logs(&state)
            self = .logs(state)
        }
    }

    /// Where a backfill starts: the block after the last header, or after `completeThrough`;
    /// nil when nothing was delivered yet (a new key has nothing to fill).
    public var firstMissingBlock: UInt64? {
        switch self {
        case .heads(let heads): heads.last.map { $0.number &+ 1 }
        case .logs(let logs): logs.completeThrough.map { $0 &+ 1 }
        }
    }
}
