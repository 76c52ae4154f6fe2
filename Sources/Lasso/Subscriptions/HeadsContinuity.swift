/// What a `newHeads` key has delivered, and the rules that judge its next header.
///
/// Rules, for `ContinuityPolicy.gapFilling` (`last` is the last delivered header, `n` the
/// incoming header's number):
///
/// | case | verdict |
/// |---|---|
/// | nothing delivered yet | `deliver` |
/// | its hash was delivered (among the last `window` headers) | `dropDuplicate`: a lagging upstream's repeats |
/// | `n == last + 1`, `parentHash == last.hash` | `deliver` |
/// | `n == last + 1`, another parent | `deliverReorg` from `last.number`, depth 1 |
/// | `n == last`, another hash | `deliverReorg` from `n`, depth 1: geth sends the new head |
/// | `n > last + 1` | `gap(last+1 … n−1)`, less what `acceptSkip(through:)` accepted |
/// | `n < last`, unknown hash | `dropStale`: a stream never goes backwards |
///
/// Under `passThrough` every header is delivered. Either way `record` remembers what was
/// delivered.
///
/// Memory: `last`, at most `window` (128 by default) recent blocks of 40 bytes each, one
/// optional number.
///
/// ```swift
/// var heads = HeadsContinuity()
/// let verdict = heads.judge(header101, policy: .gapFilling)   // .deliver
/// heads.record(header101, verdict)
/// let next = heads.judge(header104, policy: .gapFilling)      // .gap(102...103)
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct HeadsContinuity: Equatable, Sendable {
    /// Headers remembered for duplicate detection by default: about 25 minutes of Ethereum,
    /// longer than any lag an upstream is still used with.
    public static let defaultWindow = 128

    /// How many recent headers are remembered.
    public let window: Int
    /// The last header delivered.
    public private(set) var last: BlockRef?
    /// Blocks up to this number may be skipped: a gap that was given up (over the backfill cap,
    /// past its deadline) and must not be asked for again.
    public private(set) var skipAnchor: UInt64?
    /// Delivered headers, oldest first, at most `window`.
    private var recent: [BlockRef] = []

    /// Nothing delivered yet; `window` (at least 1) headers will be remembered.
    public init(window: Int = HeadsContinuity.defaultWindow) {
        self.window = max(1, window)
    }

    /// Whether a header with this hash was delivered (within the window).
    public func hasDelivered(_ hash: BlockHash) -> Bool {
        recent.contains { $0.hash == hash }
    }

    /// The verdict on `head` (see the table above).
    public func judge(_ head: StreamEvent.Head, policy: ContinuityPolicy) -> ContinuityVerdict {
        guard policy == .gapFilling, let last else { return .deliver }
        if hasDelivered(head.block.hash) { return .dropDuplicate }
        let number = head.block.number
        if number == last.number { return .deliverReorg(.init(fromBlock: number, depth: 1)) }
        guard number > last.number else { return .dropStale }
        if number - last.number == 1 {
            return head.parentHash == last.hash ? .deliver : .deliverReorg(.init(fromBlock: last.number, depth: 1))
        }
        // Subtractions and additions below cannot overflow: last.number < number ≤ UInt64.max.
        let firstMissing = max(last.number + 1, skipAnchor.map { $0 < number ? $0 + 1 : number } ?? 0)
        return firstMissing < number ? .gap(firstMissing...(number - 1)) : .deliver
    }

    /// Remembers `head` when `verdict` delivers it; other verdicts change nothing.
    public mutating func record(_ head: StreamEvent.Head, _ verdict: ContinuityVerdict) {
        guard verdict.delivers else { return }
        last = head.block
        recent.append(head.block)
        if recent.count > window { recent.removeFirst(recent.count - window) }
        if let anchor = skipAnchor, head.block.number > anchor { skipAnchor = nil }
    }

    /// Accepts that blocks through `number` will not be delivered: the next header may jump
    /// over them.
    public mutating func acceptSkip(through number: UInt64) {
        skipAnchor = max(skipAnchor ?? number, number)
    }
}
