/// One block as continuity knows it: its number and hash.
public struct BlockRef: Hashable, Sendable, CustomStringConvertible {
    /// The block number.
    public var number: UInt64
    /// The block hash.
    public var hash: BlockHash

    /// The block `number` whose hash is `hash`.
    public init(number: UInt64, hash: BlockHash) {
        self.number = number
        self.hash = hash
    }

    /// `#<number> <hash>`, for logs and test failures.
    public var description: String { "#\(number) \(hash)" }
}
