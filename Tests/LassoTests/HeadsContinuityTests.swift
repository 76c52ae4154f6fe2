import Testing
@testable import Lasso

private typealias F = ContinuityFixtures

@Suite("HeadsContinuity")
struct HeadsContinuityTests {
    /// One stream of headers and the verdict each must get, fed in order to a fresh state.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var heads: [StreamEvent.Head]
        var verdicts: [ContinuityVerdict]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "in order: every header delivered",
             heads: [F.head(100), F.head(101), F.head(102)],
             verdicts: [.deliver, .deliver, .deliver]),
        Case(name: "duplicates by hash dropped, whatever their place",
             heads: [F.head(100), F.head(101), F.head(101), F.head(100), F.head(102), F.head(101)],
             verdicts: [.deliver, .deliver, .dropDuplicate, .dropDuplicate, .deliver, .dropDuplicate]),
        Case(name: "a replacement upstream 3 blocks behind: its repeats dropped, then it continues",
             heads: [F.head(100), F.head(101), F.head(102), F.head(103), F.head(104), F.head(105),
                     F.head(103), F.head(104), F.head(105), F.head(106)],
             verdicts: [.deliver, .deliver, .deliver, .deliver, .deliver, .deliver,
                        .dropDuplicate, .dropDuplicate, .dropDuplicate, .deliver]),
        Case(name: "a jump forward is a gap of the blocks between",
             heads: [F.head(100), F.head(104)],
             verdicts: [.deliver, .gap(101...103)]),
        Case(name: "a gap filled in order, then the held header",
             heads: [F.head(100), F.head(101), F.head(102), F.head(103)],
             verdicts: [.deliver, .deliver, .deliver, .deliver]),
        Case(name: "same number, new hash: the new head delivered as a depth-1 reorg",
             heads: [F.head(100), F.head(101), F.head(101, fork: 1, parentFork: 0), F.head(102, fork: 1)],
             verdicts: [.deliver, .deliver, .deliverReorg(.init(fromBlock: 101, depth: 1)), .deliver]),
        Case(name: "next number on another parent: a reorg of the last block",
             heads: [F.head(100), F.head(101), F.head(102, fork: 1)],
             verdicts: [.deliver, .deliver, .deliverReorg(.init(fromBlock: 101, depth: 1))]),
        Case(name: "after a reorg, the orphaned chain's headers are duplicates",
             heads: [F.head(100), F.head(101), F.head(101, fork: 1, parentFork: 0), F.head(101), F.head(102)],
             verdicts: [.deliver, .deliver, .deliverReorg(.init(fromBlock: 101, depth: 1)), .dropDuplicate,
                        .deliverReorg(.init(fromBlock: 101, depth: 1))]),
        Case(name: "an unknown header behind the stream is stale, never replayed",
             heads: [F.head(100), F.head(101), F.head(102), F.head(99, fork: 3), F.head(101, fork: 3, parentFork: 0)],
             verdicts: [.deliver, .deliver, .deliver, .dropStale, .dropStale]),
        Case(name: "the first header of a key is delivered wherever it starts",
             heads: [F.head(5_000)],
             verdicts: [.deliver]),
    ]

    @Test(arguments: cases)
    func verdicts(_ scenario: Case) {
        var state = HeadsContinuity()
        #expect(F.feed(scenario.heads, into: &state) == scenario.verdicts)
    }

    @Test("the state remembers the last delivered header, not the dropped ones")
    func lastIsTheLastDelivered() {
        var state = HeadsContinuity()
        _ = F.feed([F.head(100), F.head(101), F.head(104), F.head(99, fork: 2)], into: &state)
        #expect(state.last == BlockRef(number: 101, hash: F.hash(101)))
        #expect(state.hasDelivered(F.hash(100)) && !state.hasDelivered(F.hash(104)))
    }

    @Test("an accepted skip lets the stream jump; a later gap is only what was not skipped")
    func acceptedSkip() {
        var state = HeadsContinuity()
        _ = F.feed([F.head(100)], into: &state)
        state.acceptSkip(through: 118)
        #expect(state.skipAnchor == 118)
        #expect(state.judge(F.head(125), policy: .gapFilling) == .gap(119...124), "only past the skip is missing")
        #expect(F.feed([F.head(119, parentFork: 9), F.head(120)], into: &state) == [.deliver, .deliver],
                "the first fetched block after the skip is no reorg")
        #expect(state.skipAnchor == nil, "delivering past the anchor clears it")
        #expect(state.judge(F.head(123), policy: .gapFilling) == .gap(121...122))
    }

    @Test("pass-through delivers everything, and still records")
    func passThrough() {
        var state = HeadsContinuity()
        let verdicts = F.feed([F.head(100), F.head(100), F.head(99), F.head(105), F.head(105, fork: 1)], into: &state,
                              policy: .passThrough)
        #expect(verdicts == Array(repeating: .deliver, count: 5))
        #expect(state.last == BlockRef(number: 105, hash: F.hash(105, fork: 1)))
    }

    @Test("memory is bounded: beyond the window an old header is stale, within it a duplicate")
    func boundedWindow() {
        var state = HeadsContinuity(window: 4)
        _ = F.feed((1...10).map { F.head($0) }, into: &state)
        #expect(state.judge(F.head(6), policy: .gapFilling) == .dropStale, "forgotten: behind, so stale")
        #expect(state.judge(F.head(7), policy: .gapFilling) == .dropDuplicate)
        #expect(state.judge(F.head(10), policy: .gapFilling) == .dropDuplicate)
        #expect(HeadsContinuity().window == HeadsContinuity.defaultWindow && HeadsContinuity.defaultWindow == 128)
        #expect(HeadsContinuity(window: 0).window == 1)
    }

    @Test("hostile block numbers near the top of UInt64 do not trap")
    func extremeNumbers() {
        var state = HeadsContinuity()
        _ = F.feed([F.head(0)], into: &state)
        #expect(state.judge(F.head(.max), policy: .gapFilling) == .gap(1...(.max - 1)))
        state.acceptSkip(through: .max - 2)
        #expect(F.feed([F.head(.max - 1), F.head(.max)], into: &state) == [.deliver, .deliver])
        #expect(state.judge(F.head(.max, fork: 1), policy: .gapFilling) == .deliverReorg(.init(fromBlock: .max, depth: 1)))
    }
}
