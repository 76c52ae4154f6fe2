import Lasso

/// One event log of a simulated block, as `eth_getLogs` and `logs` subscriptions return it.
///
/// Every simulated transaction emits exactly one log from one of
/// `SimulatedChain.logEmitters`: an ERC-20 `Transfer` or `Approval` whose indexed topics are
/// the transaction's sender and recipient, and whose data is the amount. `logIndex` counts
/// from 0 within the block, as on a real node.
public struct SimulatedLog: Sendable, Equatable {
    /// The emitting contract, lower-case.
    public var address: String
    /// Topic 0 is the event signature hash; topics 1 and 2 are the padded from/to addresses.
    public var topics: [String]
    /// The 32-byte amount.
    public var data: String
    /// The block holding the log.
    public var blockNumber: UInt64
    /// That block's hash.
    public var blockHash: String
    /// The transaction that emitted the log.
    public var transactionHash: String
    /// The transaction's position in the block.
    public var transactionIndex: UInt64
    /// The log's position in the block.
    public var logIndex: UInt64
    /// True when the log is retracted: its block left the chain in a reorg.
    public var removed: Bool

    /// Creates a log.
    public init(address: String, topics: [String], data: String, blockNumber: UInt64, blockHash: String,
                transactionHash: String, transactionIndex: UInt64, logIndex: UInt64, removed: Bool = false) {
        self.address = address
        self.topics = topics
        self.data = data
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.transactionHash = transactionHash
        self.transactionIndex = transactionIndex
        self.logIndex = logIndex
        self.removed = removed
    }

    /// The log as a JSON object, in the member order geth uses.
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.string("address", address)
        writer.beginArray("topics")
        for topic in topics { writer.stringValue(topic) }
        writer.endArray()
        writer.string("data", data)
        writer.quantity("blockNumber", blockNumber)
        writer.string("transactionHash", transactionHash)
        writer.quantity("transactionIndex", transactionIndex)
        writer.string("blockHash", blockHash)
        writer.quantity("logIndex", logIndex)
        writer.bool("removed", removed)
        writer.endObject()
    }

    /// The log's JSON bytes.
    public var json: [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.finish()
    }
}
