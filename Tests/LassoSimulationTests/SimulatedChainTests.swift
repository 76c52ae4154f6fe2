import Supervision
import Foundation
import Testing
import Lasso
@testable import LassoSimulation

@Suite struct SimulatedChainTests {
    let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000, start: RuntimeInstant(milliseconds: 5_000),
                               headAtStart: 1_000, genesisTimestamp: 1_700_000_000)

    @Test func headAdvancesOneBlockPerInterval() {
        #expect(chain.head(at: .zero) == 1_000)
        #expect(chain.head(at: RuntimeInstant(milliseconds: 5_000)) == 1_000)
        #expect(chain.head(at: RuntimeInstant(milliseconds: 16_999)) == 1_000)
        #expect(chain.head(at: RuntimeInstant(milliseconds: 17_000)) == 1_001)
        #expect(chain.head(at: RuntimeInstant(milliseconds: 5_000 + 12_000 * 250)) == 1_250)
    }

    @Test func nextBlockInstantIsWhenTheHeadMoves() {
        let now = RuntimeInstant(milliseconds: 20_000)
        let next = chain.nextBlockInstant(after: now)
        #expect(next == RuntimeInstant(milliseconds: 29_000))
        #expect(chain.head(at: next) == chain.head(at: now) + 1)
        #expect(chain.head(at: RuntimeInstant(milliseconds: next.milliseconds - 1)) == chain.head(at: now))
        #expect(chain.instant(whenHeadReaches: 10) == chain.start)
    }

    @Test func zeroIntervalIsClampedInsteadOfDividingByZero() {
        let fast = SimulatedChain(chainID: 5, blockIntervalMs: 0)
        #expect(fast.blockIntervalMs == 1)
        #expect(fast.head(at: RuntimeInstant(milliseconds: 42)) == 42)
    }

    @Test func extremeInstantsAndNumbersSaturate() {
        #expect(chain.head(at: RuntimeInstant(milliseconds: .max)) > 1_000)
        #expect(chain.instant(whenHeadReaches: .max) == RuntimeInstant(milliseconds: .max))
        #expect(chain.timestamp(ofBlock: .max) == .max)
        let block = chain.block(1 << 47)
        #expect(block.parentHash == chain.blockHash((1 << 47) - 1))
    }

    @Test func twoInstancesProduceIdenticalBlocksAndLogs() {
        let other = SimulatedChain(chainID: 1, blockIntervalMs: 2_000)
        for number: UInt64 in [0, 1, 2, 999, 1_000, 123_456] {
            #expect(chain.blockHash(number) == other.blockHash(number))
            #expect(chain.block(number).transactions == other.block(number).transactions)
            #expect(chain.logs(inBlock: number) == other.logs(inBlock: number))
            #expect(chain.block(number).json(fullTransactions: true) == SimulatedChain(chainID: 1, blockIntervalMs: 12_000,
                headAtStart: 7).block(number).json(fullTransactions: true))
        }
    }

    /// Pinned outputs: if these change, every recorded scenario and every provider built by an
    /// older lassod disagrees with this one, so a change must be deliberate.
    @Test func outputsArePinnedAcrossVersions() {
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
        #expect(chain.blockHash(1) == "0x3ea0a76395d91588e22af074957308c3933c218a77624224766cbe61d8fc4016")
        #expect(chain.transactionHash(block: 1, index: 0) == "0x6dd4b74b0c094756589d9381ea9ee22d586a354eea15a9e4478c5258857b6822")
        #expect(chain.balance(of: "0x00000000219ab540356cbb839cbe05303d7705fa") == "0x4cf6a5326b202d9a09c")
        #expect(chain.logs(inBlock: 1).map(\.address) == [SimulatedChain.logEmitters[0], SimulatedChain.logEmitters[1],
                                                           SimulatedChain.logEmitters[0]])
    }

    @Test func differentChainsHaveDifferentBlocks() {
        let base = SimulatedChain(chainID: 8453, blockIntervalMs: 2_000)
        #expect(chain.blockHash(10) != base.blockHash(10))
        #expect(chain.logs(inBlock: 10).map(\.transactionHash) != base.logs(inBlock: 10).map(\.transactionHash))
    }

    @Test func parentHashesChain() {
        #expect(chain.block(0).parentHash == "0x" + String(repeating: "0", count: 64))
        for number: UInt64 in 1...300 {
            #expect(chain.block(number).parentHash == chain.blockHash(number - 1))
        }
    }

    @Test func hashesAreWellFormedAndDistinct() {
        var seen = Set<String>()
        for number: UInt64 in 0..<500 {
            let block = chain.block(number)
            #expect(SimulatedHex.isData(block.hash, byteCount: 32))
            #expect(block.hash == block.hash.lowercased())
            #expect(seen.insert(block.hash).inserted)
            for transaction in block.transactions {
                #expect(SimulatedHex.isData(transaction.hash, byteCount: 32))
                #expect(seen.insert(transaction.hash).inserted)
                #expect(SimulatedHex.isData(transaction.from, byteCount: 20))
            }
        }
    }

    @Test func blockHashesReadBackTheirNumber() {
        for number: UInt64 in [0, 1, 77, 1_000_000, 1 << 40] {
            #expect(chain.blockNumber(forHash: chain.blockHash(number)) == number)
            #expect(chain.blockNumber(forHash: chain.blockHash(number).uppercased().replacingOccurrences(of: "0X", with: "0x")) == number)
        }
        #expect(chain.blockNumber(forHash: chain.transactionHash(block: 5, index: 0)) == nil)
        #expect(chain.blockNumber(forHash: SimulatedChain(chainID: 10, blockIntervalMs: 1).blockHash(5)) == nil)
        #expect(chain.blockNumber(forHash: "0x" + String(repeating: "ab", count: 32)) == nil)
        #expect(chain.blockNumber(forHash: "0x1234") == nil)
    }

    @Test func blockContentsAreConsistent() throws {
        let block = chain.block(4_242)
        #expect((2...4).contains(block.transactions.count))
        #expect(block.transactions.count == chain.transactionCount(inBlock: 4_242))
        #expect(block.gasUsed == 51_234 * UInt64(block.transactions.count))
        #expect(block.gasUsed < block.gasLimit)
        #expect(block.timestamp == 1_700_000_000 + 4_242 * 12)
        #expect((SimulatedChain.gwei..<(2 * SimulatedChain.gwei)).contains(block.baseFeePerGas))
        for (index, transaction) in block.transactions.enumerated() {
            #expect(transaction.index == UInt64(index))
            #expect(transaction.blockHash == block.hash)
            #expect(SimulatedChain.logEmitters.contains(transaction.to))
            #expect(transaction.input.hasPrefix("0xa9059cbb"))
            #expect(transaction.input.count == 2 + 8 + 128)
        }
    }

    @Test func oneLogPerTransactionWithBlockWideIndexes() {
        for number: UInt64 in 100..<120 {
            let block = chain.block(number)
            let logs = chain.logs(inBlock: number)
            #expect(logs.count == block.transactions.count)
            for (index, log) in logs.enumerated() {
                #expect(log.logIndex == UInt64(index))
                #expect(log.blockNumber == number)
                #expect(log.blockHash == block.hash)
                #expect(log.transactionHash == block.transactions[index].hash)
                #expect(log.address == block.transactions[index].to)
                #expect([SimulatedChain.transferTopic, SimulatedChain.approvalTopic].contains(log.topics[0]))
                #expect(log.topics[1] == SimulatedChain.paddedTopic(block.transactions[index].from))
                #expect(SimulatedHex.isData(log.data, byteCount: 32))
            }
        }
    }

    @Test func blockJSONHasTheFieldsClientsRead() throws {
        let block = chain.block(12)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(block.json(fullTransactions: false))) as? [String: Any])
        #expect(object["number"] as? String == "0xc")
        #expect(object["hash"] as? String == block.hash)
        #expect(object["parentHash"] as? String == chain.blockHash(11))
        #expect(object["timestamp"] as? String == SimulatedHex.quantity(block.timestamp))
        #expect((object["logsBloom"] as? String)?.count == 514)
        #expect(object["transactions"] as? [String] == block.transactions.map(\.hash))
        #expect((object["uncles"] as? [Any])?.isEmpty == true)
        for key in ["miner", "gasLimit", "gasUsed", "baseFeePerGas", "stateRoot", "receiptsRoot", "transactionsRoot",
                    "sha3Uncles", "mixHash", "nonce", "difficulty", "extraData", "size", "totalDifficulty"] {
            #expect(object[key] is String, "missing \(key)")
        }
        let full = try #require(try JSONSerialization.jsonObject(with: Data(block.json(fullTransactions: true))) as? [String: Any])
        let transactions = try #require(full["transactions"] as? [[String: Any]])
        #expect(transactions.map { $0["hash"] as? String } == block.transactions.map(\.hash))
        #expect(transactions.first?["chainId"] as? String == "0x1")
        let header = try #require(try JSONSerialization.jsonObject(with: Data(block.headerJSON)) as? [String: Any])
        #expect(header["hash"] as? String == block.hash)
        #expect(header["transactions"] == nil)
    }

    @Test func balancesAreDeterministicPerAddressAndCaseInsensitive() {
        let address = "0x00000000219ab540356cBB839Cbe05303d7705Fa"
        #expect(chain.balance(of: address) == chain.balance(of: address.lowercased()))
        #expect(chain.balance(of: address) == SimulatedChain(chainID: 1, blockIntervalMs: 1).balance(of: address))
        #expect(chain.balance(of: address) != chain.balance(of: "0x0000000000000000000000000000000000000001"))
        #expect(chain.balance(of: address).hasPrefix("0x"))
        #expect(!chain.balance(of: address).dropFirst(2).hasPrefix("0"))
    }
}
