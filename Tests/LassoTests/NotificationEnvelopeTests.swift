import Testing
@testable import Lasso
import LassoSimulation

@Suite("NotificationEnvelope and HeaderShape")
struct NotificationEnvelopeTests {
    private static let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)

    @Test("the envelope is the eth_subscription message geth sends, result untouched")
    func wrap() {
        let bytes = NotificationEnvelope.wrap(result: Array(#"{"number":"0x1"}"#.utf8), subscription: "0x01")
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{"number":"0x1"}}}"#)
    }

    @Test("a retraction sets removed to true where it is, or adds it", arguments: [
        (#"{"logIndex":"0x0","removed":false}"#, #"{"logIndex":"0x0","removed":true}"#),
        (#"{"removed":false,"logIndex":"0x0"}"#, #"{"removed":true,"logIndex":"0x0"}"#),
        (#"{"logIndex":"0x0"}"#, #"{"logIndex":"0x0","removed":true}"#),
        (#"{ "logIndex" : "0x0" }"#, #"{ "logIndex" : "0x0" ,"removed":true}"#),
        (#"{}"#, #"{"removed":true}"#),
        (#"{"removed":true}"#, #"{"removed":true}"#),
    ])
    func markRemoved(_ log: String, _ expected: String) throws {
        let marked = try #require(NotificationEnvelope.markRemoved(Array(log.utf8)))
        #expect(String(decoding: marked, as: UTF8.self) == expected)
    }

    @Test("only objects can be retracted", arguments: ["[]", "\"log\"", "{", ""])
    func markRemovedRefuses(_ text: String) {
        #expect(NotificationEnvelope.markRemoved(Array(text.utf8)) == nil)
    }

    @Test("a simulated log retracted reads like geth's: the same log with removed true")
    func simulatedRetraction() throws {
        let log = try #require(Self.chain.logs(inBlock: 101).first)
        let marked = try #require(NotificationEnvelope.markRemoved(log.json))
        #expect(String(decoding: marked, as: UTF8.self)
            == String(decoding: log.json, as: UTF8.self).replacingOccurrences(of: #""removed":false"#, with: #""removed":true"#))
    }

    @Test("without a live sample, a fetched block projects to the simulated newHeads header byte for byte")
    func projectionWithoutSample() throws {
        for number: UInt64 in [0, 1, 101, 5_000] {
            let block = Self.chain.block(number)
            #expect(HeaderShape.blockWithoutBody.project(block.json(fullTransactions: false)) == block.headerJSON)
            #expect(HeaderShape.blockWithoutBody.project(block.json(fullTransactions: true)) == block.headerJSON)
        }
    }

    @Test("with a live sample, the block takes the sample's members in the sample's order")
    func projectionWithSample() throws {
        let shape = try #require(HeaderShape(sample: Array(#"{"hash":"0x1","number":"0x0","extra":null}"#.utf8)))
        let block = Array(#"{"number":"0x5","size":"0x10","hash":"0xab","transactions":[],"parentHash":"0xcd"}"#.utf8)
        #expect(shape.project(block).map { String(decoding: $0, as: UTF8.self) } == #"{"hash":"0xab","number":"0x5"}"#)
        let live = Self.chain.block(7).headerJSON
        #expect(HeaderShape(sample: live)?.project(Self.chain.block(8).json(fullTransactions: false)) == Self.chain.block(8).headerJSON)
        #expect(HeaderShape(sample: Array("[1]".utf8)) == nil)
        #expect(shape.project(Array("null".utf8)) == nil)
        #expect(shape != HeaderShape.blockWithoutBody)
    }
}
