import Lasso

/// One transaction of a simulated block: an ERC-20 `transfer` call to one of the chain's log
/// emitters, signed by a deterministic sender.
///
/// Only what clients read is simulated — hash, participants, input, gas fields, signature
/// values — and all of it is a function of (chain id, block number, index).
public struct SimulatedTransaction: Sendable, Equatable {
    /// The transaction hash; it encodes the block number and index (see `SimulatedChain`).
    public var hash: String
    /// The block holding the transaction.
    public var blockNumber: UInt64
    /// That block's hash.
    public var blockHash: String
    /// The position in the block.
    public var index: UInt64
    /// The sender.
    public var from: String
    /// The called contract (the log emitter).
    public var to: String
    /// The recipient of the transferred tokens, encoded in `input`.
    public var recipient: String
    /// `transfer(address,uint256)` call data.
    public var input: String
    /// The sender's nonce.
    public var nonce: UInt64
    /// The gas limit.
    public var gas: UInt64
    /// The effective gas price.
    public var gasPrice: UInt64
    /// The chain id, as EIP-155 signing carries it.
    public var chainID: UInt64
    /// Signature `r`.
    public var r: String
    /// Signature `s`.
    public var s: String

    /// The transaction as a JSON object (legacy type 0 fields).
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.string("blockHash", blockHash)
        writer.quantity("blockNumber", blockNumber)
        writer.string("from", from)
        writer.quantity("gas", gas)
        writer.quantity("gasPrice", gasPrice)
        writer.string("hash", hash)
        writer.string("input", input)
        writer.quantity("nonce", nonce)
        writer.string("to", to)
        writer.quantity("transactionIndex", index)
        writer.quantity("value", 0)
        writer.quantity("type", 0)
        writer.quantity("chainId", chainID)
        writer.quantity("v", chainID &* 2 &+ 35)
        writer.string("r", r)
        writer.string("s", s)
        writer.endObject()
    }
}
