/// A branch of a `SimulatedChain` that replaces its blocks from `fromBlock` on: what a provider
/// sees after a reorg. Blocks below `fromBlock` are shared with the original chain; from it
/// on, every block has another hash (so the same number, new hash), the first one's parent is
/// the original block `fromBlock − 1`, and the branch stays linked by `parentHash`.
///
/// The branch holds the same transactions and logs as the original — as when a reorg
/// re-includes them — but in blocks with other hashes, so their `blockHash` differs: a log's
/// identity `(blockHash, logIndex)` changes, as it does on a real reorg. Two providers given the
/// same fork agree byte for byte; `salt` tells different forks from the same block apart.
///
/// ```swift
/// let fork = SimulatedFork(fromBlock: 103, salt: 1)
/// let branch = chain.forked(fork)
/// let rehashed = branch.blockHash(103) != chain.blockHash(103)        // true: same number, new hash
/// let joined = branch.block(103).parentHash == chain.blockHash(102)   // true
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public struct SimulatedFork: Sendable, Hashable, CustomStringConvertible {
    /// The first block the fork replaces.
    public var fromBlock: UInt64
    /// Tells forks apart: hashes are a function of (chain id, salt, number).
    public var salt: UInt64

    /// A fork replacing the blocks from `fromBlock` on.
    public init(fromBlock: UInt64, salt: UInt64 = 1) {
        self.fromBlock = fromBlock
        self.salt = salt
    }

    /// `fork@<fromBlock>/<salt>`, for logs and test failures.
    public var description: String { "fork@\(fromBlock)/\(salt)" }
}
