@testable import Lasso

/// Literal blocks, headers and logs for the continuity tests: block `n` of fork `f` has a hash
/// made of (n, f), so a test reads which chain an event is on from its arguments.
enum ContinuityFixtures {
    /// The hash of block `number` on fork `fork` (0 is the original chain).
    static func hash(_ number: UInt64, fork: UInt64 = 0) -> BlockHash {
        BlockHash(words: (0xB10C, fork, number, 0))
    }

    /// The header of block `number` on `fork`; its parent is on `parentFork` (by default the same).
    static func head(_ number: UInt64, fork: UInt64 = 0, parentFork: UInt64? = nil) -> StreamEvent.Head {
        StreamEvent.Head(number: number, hash: hash(number, fork: fork),
                         parentHash: hash(number &- 1, fork: parentFork ?? fork))
    }

    /// Log `index` of block `number` on `fork`.
    static func log(_ number: UInt64, _ index: UInt64, fork: UInt64 = 0, removed: Bool = false) -> StreamEvent.Log {
        StreamEvent.Log(blockNumber: number, blockHash: hash(number, fork: fork), logIndex: index, removed: removed)
    }

    /// The bytes a log's result is remembered by: short, and telling which log it is.
    static func body(_ log: StreamEvent.Log) -> [UInt8] {
        Array(#"{"b":\#(log.block.number),"f":\#(log.block.hash.words.1),"i":\#(log.logIndex)}"#.utf8)
    }

    /// The delivered-log record of `log`.
    static func delivered(_ log: StreamEvent.Log) -> DeliveredLog {
        DeliveredLog(block: log.block, logIndex: log.logIndex, result: body(log))
    }

    /// Judges and records each header in turn, as a coordinator does; the verdicts in order.
    static func feed(_ heads: [StreamEvent.Head], into state: inout HeadsContinuity,
                     policy: ContinuityPolicy = .gapFilling) -> [ContinuityVerdict] {
        heads.map { head in
            let verdict = state.judge(head, policy: policy)
            state.record(head, verdict)
            return verdict
        }
    }

    /// Judges and records each log in turn; the first is judged with `firstContinuous`, the
    /// rest as continuous (one upstream's stream).
    static func feed(_ logs: [StreamEvent.Log], into state: inout LogsContinuity, policy: ContinuityPolicy = .gapFilling,
                     firstContinuous: Bool = true) -> [ContinuityVerdict] {
        logs.enumerated().map { offset, log in
            let verdict = state.judge(log, policy: policy, continuous: offset > 0 || firstContinuous)
            state.record(log, verdict, result: body(log))
            return verdict
        }
    }
}
