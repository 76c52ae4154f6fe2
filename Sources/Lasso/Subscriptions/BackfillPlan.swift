/// Which missing blocks a failover fetches, within `max_backfill_blocks`.
///
/// A backfill is bounded so that a long outage cannot turn into an unbounded burst of requests
/// and events. Beyond the cap the **newest** blocks are fetched: clients care most about the
/// present, and the older part of the gap is reported as skipped (`subscription.gap_skipped`)
/// and accepted (`StreamContinuity.acceptSkip`), never fetched later.
///
/// ```swift
/// let small = BackfillPlan(from: 101, through: 105, cap: 32)    // .fetch(101...105)
/// let wide = BackfillPlan(from: 101, through: 150, cap: 32)     // .skipThenFetch(skipped: 101...118, fetch: 119...150)
/// let off = BackfillPlan(from: 101, through: 105, cap: 0)       // .skip(101...105)
/// let behind = BackfillPlan(from: 106, through: 105, cap: 32)   // .none: the upstream is behind the stream
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum BackfillPlan: Equatable, Sendable {
    /// Nothing is missing.
    case none
    /// Fetch these blocks.
    case fetch(ClosedRange<UInt64>)
    /// More is missing than the cap: give up `skipped`, fetch `fetch` (the newest).
    case skipThenFetch(skipped: ClosedRange<UInt64>, fetch: ClosedRange<UInt64>)
    /// The cap is spent (or 0): give the whole range up.
    case skip(ClosedRange<UInt64>)

    /// The plan for blocks `firstMissing` through `target`. `cap` is what is left of
    /// `max_backfill_blocks` for this failover: one failover may take several rounds (the
    /// upstream's head moves on while fetching), and the cap counts them all.
    public init(from firstMissing: UInt64, through target: UInt64, cap: Int) {
        guard firstMissing <= target else {
            self = .none
            return
        }
        guard cap > 0 else {
            self = .skip(firstMissing...target)
            return
        }
        let missing = target - firstMissing  // one less than the count, so it cannot overflow
        let fetchable = UInt64(cap) - 1
        if missing <= fetchable {
            self = .fetch(firstMissing...target)
        } else {
            let firstFetched = target - fetchable
            self = .skipThenFetch(skipped: firstMissing...(firstFetched - 1), fetch: firstFetched...target)
        }
    }

    /// The blocks fetched.
    public var fetched: ClosedRange<UInt64>? {
        switch self {
        case .fetch(let range), .skipThenFetch(_, let range): range
        case .none, .skip: nil
        }
    }

    /// The blocks given up.
    public var skipped: ClosedRange<UInt64>? {
        switch self {
        case .skipThenFetch(let range, _), .skip(let range): range
        case .none, .fetch: nil
        }
    }
}
