/// A log that went to the clients, remembered so that a reorg can retract it with
/// `"removed":true` (and so that the same log from another upstream is a duplicate).
public struct DeliveredLog: Equatable, Sendable {
    /// The block and the log's index in it: the log's identity.
    public var block: BlockRef
    /// The log's position in the block.
    public var logIndex: UInt64
    /// The log object as delivered (the event's `result`).
    public var result: [UInt8]

    /// A delivered log of `block` at `logIndex` whose object was `result`.
    public init(block: BlockRef, logIndex: UInt64, result: [UInt8]) {
        self.block = block
        self.logIndex = logIndex
        self.result = result
    }
}
