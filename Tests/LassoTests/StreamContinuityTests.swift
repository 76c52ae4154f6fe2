import Testing
@testable import Lasso
import LassoSimulation

private typealias F = ContinuityFixtures

/// The facade a coordinator holds, and the reading of real event bytes into `StreamEvent`s.
@Suite("StreamContinuity and StreamEvent")
struct StreamContinuityTests {
    private static let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)

    @Test("a newHeads key judges and records headers; a log cannot belong to it")
    func heads() {
        var continuity = StreamContinuity(kind: .newHeads)
        #expect(continuity.firstMissingBlock == nil)
        for event in [StreamEvent.head(F.head(100)), .head(F.head(101))] {
            let verdict = continuity.judge(event, policy: .gapFilling, continuous: false)
            #expect(verdict == .deliver)
            continuity.record(event, verdict, result: [])
        }
        #expect(continuity.firstMissingBlock == 102)
        #expect(continuity.judge(.head(F.head(104)), policy: .gapFilling, continuous: true) == .gap(102...103))
        #expect(continuity.judge(.log(F.log(102, 0)), policy: .gapFilling, continuous: true) == .dropStale)
        continuity.acceptSkip(through: 103)
        #expect(continuity.judge(.head(F.head(104)), policy: .gapFilling, continuous: true) == .deliver)
        #expect(continuity.observeHead(F.head(105)) == nil)
        guard case .heads(let heads) = continuity else { return #expect(Bool(false)) }
        #expect(heads.last?.number == 101 && heads.skipAnchor == 103)
    }

    @Test("a logs key judges and records logs with their bytes, and takes its upstream's headers")
    func logs() {
        var continuity = StreamContinuity(kind: .logs)
        let log = F.log(100, 0)
        let verdict = continuity.judge(.log(log), policy: .gapFilling, continuous: true)
        continuity.record(.log(log), verdict, result: F.body(log))
        #expect(continuity.firstMissingBlock == 100)
        #expect(continuity.judge(.head(F.head(101)), policy: .gapFilling, continuous: true) == .dropStale)
        #expect(continuity.observeHead(F.head(100, fork: 1, parentFork: 0))?.orphaned == [F.delivered(log)])
        guard case .logs(let logs) = continuity else { return #expect(Bool(false)) }
        #expect(logs.completeThrough == 99 && logs.rememberedLogs.isEmpty)
    }

    @Test("a simulated newHeads header reads as its block, number, hash and parent")
    func readsAHeader() throws {
        let block = Self.chain.block(101)
        let event = try #require(StreamEvent(result: block.headerJSON, range: block.headerJSON.indices, kind: .newHeads))
        let hash = try #require(BlockHash(hex: block.hash)), parent = try #require(BlockHash(hex: block.parentHash))
        #expect(event == .head(.init(number: 101, hash: hash, parentHash: parent)))
        #expect(event.block == BlockRef(number: 101, hash: hash))
        #expect(hash.description == block.hash)
    }

    @Test("a simulated log reads as its block, index and removed flag, found inside a whole notification")
    func readsALog() throws {
        let log = try #require(Self.chain.logs(inBlock: 102).last)
        let notification = NotificationEnvelope.wrap(result: log.json, subscription: "0x01")
        let found = try #require(SubscriptionNotification.scan(notification))
        #expect(!found.isError)
        let result = try #require(found.result)
        #expect(Array(notification[result]) == log.json)
        let event = try #require(StreamEvent(result: notification, range: result, kind: .logs))
        #expect(event == .log(.init(blockNumber: 102, blockHash: try #require(BlockHash(hex: log.blockHash)), logIndex: log.logIndex)))
        let removed = try #require(NotificationEnvelope.markRemoved(log.json))
        guard case .log(let retracted)? = StreamEvent(result: removed, range: removed.indices, kind: .logs) else {
            return #expect(Bool(false))
        }
        #expect(retracted.removed)
    }

    @Test("results continuity cannot place are not events", arguments: [
        (#"{"number":"0x1","hash":"0x\#(String(repeating: "a", count: 64))"}"#, SubscriptionKey.Kind.newHeads),  // no parent
        (#"{"number":"0x","hash":"0x\#(String(repeating: "a", count: 64))","parentHash":"0x\#(String(repeating: "b", count: 64))"}"#,
         .newHeads),                                                                                       // empty number
        (#"{"number":"0x10000000000000000","hash":"0x\#(String(repeating: "a", count: 64))","parentHash":"0x\#(String(repeating: "b", count: 64))"}"#,
         .newHeads),                                                                                       // 17 digits
        (#"{"number":1,"hash":"0x\#(String(repeating: "a", count: 64))","parentHash":"0x\#(String(repeating: "b", count: 64))"}"#,
         .newHeads),                                                                                       // not a quantity
        (#"{"number":"0x1","hash":"0xabc","parentHash":"0x\#(String(repeating: "b", count: 64))"}"#, .newHeads),  // short hash
        (#"{"blockNumber":"0x1","blockHash":"0x\#(String(repeating: "g", count: 64))","logIndex":"0x0"}"#, .logs), // not hex
        (#"{"blockNumber":"0x1","blockHash":"0x\#(String(repeating: "a", count: 64))"}"#, .logs),             // no index
        (#"["not","an","object"]"#, .logs),
        (#"{"blockNumber":"0x1","#, .logs),                                                                // not JSON
    ])
    func unreadable(_ text: String, _ kind: SubscriptionKey.Kind) {
        let bytes = Array(text.utf8)
        #expect(StreamEvent(result: bytes, range: bytes.indices, kind: kind) == nil, "\(text)")
    }

    @Test("hashes read in either case and print lower-case")
    func hashCase() throws {
        let upper = try #require(BlockHash(hex: "0X" + String(repeating: "AB", count: 32)))
        #expect(upper == BlockHash(hex: "0x" + String(repeating: "ab", count: 32)))
        #expect(upper.description == "0x" + String(repeating: "ab", count: 32))
        #expect(BlockHash(hex: "0x" + String(repeating: "a", count: 63)) == nil)
        #expect(Set([upper, upper]).count == 1)
    }

    @Test("a notification carrying an error is marked, so it is never fanned out as an event")
    func errorNotification() throws {
        let text = #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xab","error":{"code":-32000,"message":"gone"}}}"#
        let found = try #require(SubscriptionNotification.scan(Array(text.utf8)))
        #expect(found.isError && found.result == nil && found.subscription == "0xab")
    }
}
