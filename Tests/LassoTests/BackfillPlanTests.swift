import Supervision
import Testing
@testable import Lasso

@Suite("BackfillPlan and StallRule")
struct BackfillPlanTests {
    @Test("the plan for a gap within, at and beyond the cap", arguments: [
        (101, 105, 32, BackfillPlan.fetch(101...105)),
        (101, 132, 32, .fetch(101...132)),                                     // exactly the cap
        (101, 133, 32, .skipThenFetch(skipped: 101...101, fetch: 102...133)),   // one over
        (101, 150, 32, .skipThenFetch(skipped: 101...118, fetch: 119...150)),   // newest kept
        (101, 110, 4, .skipThenFetch(skipped: 101...106, fetch: 107...110)),
        (101, 101, 1, .fetch(101...101)),
        (101, 102, 1, .skipThenFetch(skipped: 101...101, fetch: 102...102)),
        (101, 105, 0, .skip(101...105)),                                        // max_backfill_blocks: 0
        (106, 105, 32, BackfillPlan.none),                                      // the upstream is behind
        (0, UInt64.max, 32, .skipThenFetch(skipped: 0...(UInt64.max - 32), fetch: (UInt64.max - 31)...UInt64.max)),
    ] as [(UInt64, UInt64, Int, BackfillPlan)])
    func plans(_ from: UInt64, _ target: UInt64, _ cap: Int, _ expected: BackfillPlan) {
        let plan = BackfillPlan(from: from, through: target, cap: cap)
        #expect(plan == expected)
        let fetched = plan.fetched.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        #expect(fetched <= UInt64(max(0, cap)), "never more than the cap")
        if from <= target {
            #expect((plan.skipped?.lowerBound ?? plan.fetched?.lowerBound) == from, "the plan starts at the first missing block")
            #expect((plan.fetched?.upperBound ?? plan.skipped?.upperBound) == target, "and ends at the target")
        }
    }

    @Test("a stall needs three block times of silence and a head that moved on", arguments: [
        (0, 3_601, 1_200, 100, 101, true),
        (0, 3_600, 1_200, 100, 101, false),        // exactly three block times: not yet
        (0, 60_000, 1_200, 100, 100, false),       // the chain halted: silence is no failure
        (0, 60_000, 1_200, 100, nil, false),       // no head known anywhere
        (0, 60_000, 1_200, nil, 5, true),          // never an event, and the chain is somewhere
        (5_000, 4_000, 1_200, 100, 200, false),    // a clock reading from before the last event
        (0, .max, .max, 100, 200, false),          // a block time too large to multiply
        (0, 1_999, 200, 100, 110, false),          // fast blocks: never before two seconds of silence
        (0, 2_001, 200, 100, 110, true),
    ] as [(UInt64, UInt64, UInt64, UInt64?, UInt64?, Bool)])
    func stalls(_ last: UInt64, _ now: UInt64, _ blockTime: UInt64, _ lastBlock: UInt64?, _ best: UInt64?, _ stalled: Bool) {
        #expect(StallRule.isStalled(lastEventAt: RuntimeInstant(milliseconds: last), now: RuntimeInstant(milliseconds: now),
                                    blockTime: .milliseconds(blockTime), lastBlock: lastBlock, bestKnownHead: best) == stalled)
    }
}
