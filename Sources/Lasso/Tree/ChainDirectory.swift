import Supervision
import Synchronization

/// Where the running chains are found: chain key → its `ChainStateBoard`.
///
/// Each ChainSupervisor registers its board under its own process when it starts, so the entry
/// disappears when the chain stops or crashes and comes back, with a fresh board, when it is
/// restarted. Lookups take one lock and no message: the request hot path uses them. The tree's
/// `Registry` process keeps the table clean (see `RegistryKeeper`).
public final class ChainDirectory: Sendable {
    private let registry = Registry<String, ChainStateBoard>(keys: .unique)
    /// The boards found so far, with their owners: every request reads its chain's board, and
    /// this lookup is one dictionary read instead of the generic registry's. An entry whose
    /// process has exited is looked up again.
    private let found = Mutex<[String: (board: ChainStateBoard, process: ProcessRef)]>([:])

    /// An empty directory.
    public init() {}

    /// The table, for the `Registry` process.
    public var keptTable: RegistryKeeper.Table { registry.keptTable }

    /// Registers a running chain. - Throws: `RegistryError.alreadyRegistered` if it runs already.
    public func register(chain: String, board: ChainStateBoard, process: ProcessRef) throws {
        try registry.register(chain, value: board, process: process)
        found.withLock { $0[chain] = (board, process) }
    }

    /// The board of a running chain.
    public func board(for chain: String) -> ChainStateBoard? {
        if let entry = found.withLock({ $0[chain] }), entry.process.isAlive { return entry.board }
        let entry = registry.lookup(chain).first
        found.withLock { $0[chain] = entry.map { ($0.value, $0.process) } }
        return entry?.value
    }

    /// Every running chain with its board.
    public func running(among chains: [String]) -> [(chain: String, board: ChainStateBoard)] {
        chains.compactMap { chain in board(for: chain).map { (chain, $0) } }
    }

    /// One line per chain of `config`, in file order, with whether it runs now: what
    /// `GET /api/chains` and `lassod ctl chains` show.
    public func summaries(of config: LassoConfig) -> [AdminChainSummary] {
        config.chains.map { chain in
            AdminChainSummary(chain: chain.key, chainId: chain.chainId, name: chain.name,
                              running: board(for: chain.key) != nil, providers: chain.providers.map(\.id))
        }
    }
}
