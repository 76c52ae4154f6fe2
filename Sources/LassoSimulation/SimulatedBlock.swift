import Lasso

/// One block of a `SimulatedChain`, with everything `eth_getBlockByNumber` and `newHeads`
/// return.
///
/// `parentHash` is always the previous block's `hash` (zero for block 0), so a client that
/// follows the chain — a proxy's gap filler, viem's block watcher — sees one continuous chain
/// whichever provider it asks. `logsBloom` is all zeros: no client in scope filters by bloom,
/// and computing a real one would need keccak for nothing.
public struct SimulatedBlock: Sendable, Equatable {
    /// The block number.
    public var number: UInt64
    /// The block hash (32 bytes, hex).
    public var hash: String
    /// The previous block's hash.
    public var parentHash: String
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64
    /// The fee recipient.
    public var miner: String
    /// A deterministic stand-in for the state trie root.
    public var stateRoot: String
    /// A deterministic stand-in for the transactions trie root.
    public var transactionsRoot: String
    /// A deterministic stand-in for the receipts trie root.
    public var receiptsRoot: String
    /// The beacon randomness field.
    public var mixHash: String
    /// The gas limit (30 M, mainnet's).
    public var gasLimit: UInt64
    /// Gas used by the block's transactions.
    public var gasUsed: UInt64
    /// EIP-1559 base fee, in wei.
    public var baseFeePerGas: UInt64
    /// The block's transactions, in order.
    public var transactions: [SimulatedTransaction]

    /// `keccak256(rlp([]))`: the uncles hash of every post-merge block.
    static let emptyUnclesHash = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
    /// 256 zero bytes.
    static let zeroBloom = "0x" + String(repeating: "0", count: 512)

    /// The header members, shared by the block object and the `newHeads` notification.
    private func writeHeaderMembers(to writer: inout JSONWriter) {
        writer.quantity("number", number)
        writer.string("hash", hash)
        writer.string("parentHash", parentHash)
        writer.string("nonce", "0x0000000000000000")
        writer.string("sha3Uncles", Self.emptyUnclesHash)
        writer.string("logsBloom", Self.zeroBloom)
        writer.string("transactionsRoot", transactionsRoot)
        writer.string("stateRoot", stateRoot)
        writer.string("receiptsRoot", receiptsRoot)
        writer.string("miner", miner)
        writer.quantity("difficulty", 0)
        writer.string("extraData", "0x")
        writer.quantity("gasLimit", gasLimit)
        writer.quantity("gasUsed", gasUsed)
        writer.quantity("timestamp", timestamp)
        writer.string("mixHash", mixHash)
        writer.quantity("baseFeePerGas", baseFeePerGas)
    }

    /// The header object a `newHeads` subscription pushes.
    func writeHeader(to writer: inout JSONWriter) {
        writer.beginObject()
        writeHeaderMembers(to: &writer)
        writer.endObject()
    }

    /// The block object `eth_getBlockByNumber` returns: transaction hashes, or full transaction
    /// objects when `fullTransactions` is true.
    func write(to writer: inout JSONWriter, fullTransactions: Bool) {
        writer.beginObject()
        writeHeaderMembers(to: &writer)
        writer.quantity("totalDifficulty", 0)
        writer.quantity("size", 600 &+ 110 &* UInt64(transactions.count))
        writer.beginArray("transactions")
        for transaction in transactions {
            if fullTransactions {
                transaction.write(to: &writer)
            } else {
                writer.stringValue(transaction.hash)
            }
        }
        writer.endArray()
        writer.beginArray("uncles")
        writer.endArray()
        writer.endObject()
    }

    /// The header's JSON bytes, as a `newHeads` notification carries them.
    public var headerJSON: [UInt8] {
        var writer = JSONWriter()
        writeHeader(to: &writer)
        return writer.finish()
    }

    /// The block's JSON bytes.
    public func json(fullTransactions: Bool) -> [UInt8] {
        var writer = JSONWriter()
        write(to: &writer, fullTransactions: fullTransactions)
        return writer.finish()
    }
}
