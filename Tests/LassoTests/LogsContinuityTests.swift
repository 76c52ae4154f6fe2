import Testing
@testable import Lasso

private typealias F = ContinuityFixtures

@Suite("LogsContinuity")
struct LogsContinuityTests {
    /// One upstream's stream of logs (the first judged as `firstContinuous` says), fed to a state
    /// that already delivered `before` from a previous upstream.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var before: [StreamEvent.Log] = []
        var firstContinuous = true
        var logs: [StreamEvent.Log]
        var verdicts: [ContinuityVerdict]
        var completeThrough: UInt64?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "in order: delivered; a later block's log proves the earlier blocks complete",
             logs: [F.log(100, 0), F.log(100, 1), F.log(101, 0), F.log(105, 2)],
             verdicts: [.deliver, .deliver, .deliver, .deliver], completeThrough: 104),
        Case(name: "duplicates by (blockHash, logIndex) dropped",
             logs: [F.log(100, 0), F.log(100, 1), F.log(100, 0), F.log(101, 0), F.log(100, 1)],
             verdicts: [.deliver, .deliver, .dropDuplicate, .deliver, .dropDuplicate], completeThrough: 100),
        Case(name: "a replacement upstream 3 blocks behind: its repeats dropped, then it continues",
             before: [F.log(100, 0), F.log(101, 0), F.log(102, 0), F.log(103, 0)], firstContinuous: false,
             logs: [F.log(101, 0), F.log(102, 0), F.log(103, 0), F.log(104, 0)],
             verdicts: [.dropDuplicate, .dropDuplicate, .dropDuplicate, .deliver], completeThrough: 103),
        Case(name: "a replacement upstream ahead: a gap from the complete blocks through the event's own block",
             before: [F.log(100, 0), F.log(102, 0)], firstContinuous: false,
             logs: [F.log(105, 1)],
             verdicts: [.gap(102...105)], completeThrough: 101),
        Case(name: "a replacement upstream right after the complete blocks still refetches the event's block",
             before: [F.log(100, 0)], firstContinuous: false,
             logs: [F.log(100, 3)],
             verdicts: [.gap(100...100)], completeThrough: 99),
        Case(name: "the same number under another hash: a reorg orphaning the delivered logs from there on",
             before: [F.log(100, 0), F.log(100, 1), F.log(101, 0)],
             logs: [F.log(100, 0, fork: 1), F.log(101, 0, fork: 1)],
             verdicts: [.deliverReorg(.init(fromBlock: 100, depth: 2, orphaned: [F.delivered(F.log(100, 0)),
                                                                                 F.delivered(F.log(100, 1)),
                                                                                 F.delivered(F.log(101, 0))])),
                        .deliver],
             completeThrough: 100),
        Case(name: "a log behind the complete blocks is stale",
             logs: [F.log(100, 0), F.log(103, 0), F.log(101, 5), F.log(102, 0, fork: 4)],
             verdicts: [.deliver, .deliver, .dropStale, .dropStale], completeThrough: 102),
        Case(name: "the upstream retracts a delivered log: passed on once; a retraction of nothing is dropped",
             logs: [F.log(100, 0), F.log(100, 0, removed: true), F.log(100, 0, removed: true), F.log(100, 7, removed: true)],
             verdicts: [.deliver, .deliver, .dropStale, .dropStale], completeThrough: 99),
        Case(name: "after the upstream retracted its logs, the new branch is a reorg with nothing left to retract",
             logs: [F.log(100, 0), F.log(100, 0, removed: true), F.log(100, 0, fork: 1)],
             verdicts: [.deliver, .deliver, .deliverReorg(.init(fromBlock: 100, depth: 1))], completeThrough: 99),
        Case(name: "the first log of a key is delivered wherever it starts",
             firstContinuous: false, logs: [F.log(9_000, 4)], verdicts: [.deliver], completeThrough: 8_999),
    ]

    @Test(arguments: cases)
    func verdicts(_ scenario: Case) {
        var state = LogsContinuity()
        #expect(F.feed(scenario.before, into: &state).allSatisfy { $0 == .deliver })
        #expect(F.feed(scenario.logs, into: &state, firstContinuous: scenario.firstContinuous) == scenario.verdicts)
        #expect(state.completeThrough == scenario.completeThrough)
    }

    @Test("logs completeness across a failover: the gap is fetched, filled in order, then the held log is a duplicate")
    func completenessAcrossFailover() {
        var state = LogsContinuity()
        _ = F.feed([F.log(100, 0), F.log(101, 0), F.log(101, 1)], into: &state)
        #expect(state.completeThrough == 100, "block 101 may still have logs to come")
        let held = F.log(104, 1)
        #expect(state.judge(held, policy: .gapFilling, continuous: false) == .gap(101...104))
        // The backfill's logs of 101...104, sorted; 101's are already delivered.
        let fetched = [F.log(101, 0), F.log(101, 1), F.log(101, 2), F.log(103, 0), F.log(104, 0), F.log(104, 1)]
        #expect(F.feed(fetched, into: &state) == [.dropDuplicate, .dropDuplicate, .deliver, .deliver, .deliver, .deliver])
        #expect(state.judge(held, policy: .gapFilling, continuous: true) == .dropDuplicate)
        #expect(state.completeThrough == 103)
        #expect(state.rememberedLogs.map(\.logIndex) == [0, 0, 1, 2, 0, 0, 1])
    }

    @Test("the liveness feed's headers complete blocks, and a contradicting header orphans delivered logs")
    func observedHeads() {
        var state = LogsContinuity()
        _ = F.feed([F.log(100, 0), F.log(101, 0)], into: &state)
        #expect(state.observeHead(F.head(102)) == nil)
        #expect(state.completeThrough == 101)
        #expect(state.observeHead(F.head(110)) == nil)
        #expect(state.completeThrough == 109, "a quiet filter's stream is anchored by headers, not by logs")
        #expect(state.judge(F.log(105, 0), policy: .gapFilling, continuous: true) == .dropStale)

        // Block 101 replaced: the header of 102 names another parent.
        var forked = LogsContinuity()
        _ = F.feed([F.log(100, 0), F.log(101, 0), F.log(101, 1)], into: &forked)
        let reorg = forked.observeHead(F.head(102, fork: 1))
        #expect(reorg == .init(fromBlock: 101, depth: 1, orphaned: [F.delivered(F.log(101, 0)), F.delivered(F.log(101, 1))]))
        #expect(forked.completeThrough == 100, "the new branch's logs of 101 are still to come")
        #expect(forked.hash(ofBlock: 101) == F.hash(101, fork: 1) && forked.hash(ofBlock: 102) == F.hash(102, fork: 1))
        #expect(forked.judge(F.log(101, 0, fork: 1), policy: .gapFilling, continuous: true) == .deliver)
        #expect(forked.judge(F.log(101, 0), policy: .gapFilling, continuous: true) == .deliverReorg(.init(fromBlock: 101, depth: 2)),
                "the orphaned branch's log is not taken for a duplicate")

        // The same number under another hash.
        var replaced = LogsContinuity()
        _ = F.feed([F.log(100, 0)], into: &replaced)
        #expect(replaced.observeHead(F.head(100, fork: 2, parentFork: 0))?.orphaned == [F.delivered(F.log(100, 0))])
        #expect(replaced.completeThrough == 99)
    }

    @Test("pass-through delivers everything, and still records")
    func passThrough() {
        var state = LogsContinuity()
        let logs = [F.log(100, 0), F.log(100, 0), F.log(90, 0), F.log(100, 0, fork: 1), F.log(100, 0, fork: 1, removed: true)]
        #expect(F.feed(logs, into: &state, policy: .passThrough, firstContinuous: false) == Array(repeating: .deliver, count: 5))
        #expect(state.last == F.log(100, 0, fork: 1))
    }

    @Test("an accepted skip moves the complete blocks forward")
    func acceptedSkip() {
        var state = LogsContinuity()
        _ = F.feed([F.log(100, 0)], into: &state)
        state.acceptSkip(through: 120)
        #expect(state.completeThrough == 120)
        #expect(state.judge(F.log(110, 0), policy: .gapFilling, continuous: true) == .dropStale)
        #expect(state.judge(F.log(125, 0), policy: .gapFilling, continuous: false) == .gap(121...125))
        state.acceptSkip(through: 50)
        #expect(state.completeThrough == 120, "a skip never moves completeness back")
    }

    @Test("memory is bounded by the block window: older blocks are forgotten, hashes and logs")
    func boundedWindow() {
        var state = LogsContinuity(windowBlocks: 4)
        _ = F.feed((1...10).map { F.log($0, 0) }, into: &state)
        #expect(state.rememberedLogs.map(\.block.number) == [7, 8, 9, 10])
        #expect(state.hash(ofBlock: 6) == nil && state.hash(ofBlock: 7) == F.hash(7))
        // A reorg below the window is not seen: the log is simply behind.
        #expect(state.judge(F.log(5, 0, fork: 1), policy: .gapFilling, continuous: true) == .dropStale)
        #expect(LogsContinuity.defaultWindowBlocks == 64 && LogsContinuity.defaultMaxRememberedBytes == 1 << 20)
    }

    @Test("memory is bounded by bytes: oldest blocks forgotten first, and a reorg into them says it is incomplete")
    func boundedBytes() {
        let size = F.body(F.log(100, 0)).count
        var state = LogsContinuity(maxRememberedBytes: 2 * size)
        _ = F.feed([F.log(100, 0), F.log(101, 0), F.log(102, 0)], into: &state)
        #expect(state.rememberedLogs.map(\.block.number) == [101, 102])
        #expect(state.hash(ofBlock: 100) == F.hash(100), "hashes stay: they are small")
        let deep = state.judge(F.log(100, 1, fork: 1), policy: .gapFilling, continuous: true)
        #expect(deep == .deliverReorg(.init(fromBlock: 100, depth: 3, orphaned: [F.delivered(F.log(101, 0)), F.delivered(F.log(102, 0))],
                                            incomplete: true)))
        #expect(state.judge(F.log(101, 1, fork: 1), policy: .gapFilling, continuous: true)
            == .deliverReorg(.init(fromBlock: 101, depth: 2, orphaned: [F.delivered(F.log(101, 0)), F.delivered(F.log(102, 0))])))

        var oneBigBlock = LogsContinuity(maxRememberedBytes: 1)
        _ = F.feed([F.log(100, 0), F.log(100, 1), F.log(100, 2)], into: &oneBigBlock)
        #expect(oneBigBlock.rememberedLogs.count == 3, "the newest block is kept whole")
        #expect(oneBigBlock.judge(F.log(100, 1), policy: .gapFilling, continuous: true) == .dropDuplicate)
    }

    @Test("logs arriving out of index order are remembered in index order")
    func indexOrder() {
        var state = LogsContinuity()
        _ = F.feed([F.log(100, 2), F.log(100, 0), F.log(100, 1)], into: &state)
        #expect(state.rememberedLogs.map(\.logIndex) == [0, 1, 2])
    }
}
