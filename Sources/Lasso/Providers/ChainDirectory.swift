import Supervision
import Synchronization

/// Where the running chains are found: chain key → its `ChainStateBoard`.
///
/// Each ChainSupervisor registers its board under its own process when it starts, so the chain
/// is found exactly while it runs, and comes back, with a fresh board, when it is restarted.
/// The tree's `Registry` process keeps the table clean (see `RegistryKeeper`).
///
/// Readers that serve a chain for a long time — a client WebSocket, for every message it
/// sends — hold its `Entry`, resolved once: the entry outlives the chain's restarts and always
/// yields the board of the incarnation running now, with one lock and no lookup by name.
///
/// ```swift
/// let entry = directory.entry(for: "ethereum")   // once, when the socket opens
/// let board = entry.board                        // per message: the running board, or nil
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class ChainDirectory: Sendable {
    /// One chain's place in the directory, stable across the chain's restarts.
    public final class Entry: Sendable {
        /// The chain's key.
        public let key: String
        private let running = Mutex<(board: ChainStateBoard, process: ProcessRef)?>(nil)

        init(key: String) {
            self.key = key
        }

        /// The board of the incarnation running now; `nil` while the chain is stopped or
        /// restarting (its supervisor has exited and no successor has registered).
        public var board: ChainStateBoard? {
            guard let current = running.withLock({ $0 }), current.process.isAlive else { return nil }
            return current.board
        }

        func occupy(board: ChainStateBoard, process: ProcessRef) {
            running.withLock { $0 = (board, process) }
        }
    }

    private let registry = Registry<String, ChainStateBoard>(keys: .unique)
    /// Every chain ever registered or asked for by key; chain keys come from the config, so the
    /// table is bounded by the chains configured over the daemon's life.
    private let entries = Mutex<[String: Entry]>([:])

    /// An empty directory.
    public init() {}

    /// The table, for the `Registry` process.
    public var keptTable: RegistryKeeper.Table { registry.keptTable }

    /// Registers a running chain. - Throws: `RegistryError.alreadyRegistered` if it runs already.
    public func register(chain: String, board: ChainStateBoard, process: ProcessRef) throws {
        try registry.register(chain, value: board, process: process)
        entry(for: chain).occupy(board: board, process: process)
    }

    /// The entry of the chain keyed `chain`, running or not; pass only keys from the config.
    public func entry(for chain: String) -> Entry {
        entries.withLock { entries in
            if let known = entries[chain] { return known }
            let entry = Entry(key: chain)
            entries[chain] = entry
            return entry
        }
    }

    /// The board of a running chain.
    public func board(for chain: String) -> ChainStateBoard? {
        entries.withLock { $0[chain] }?.board
    }

    /// Every running chain with its board.
    public func running(among chains: [String]) -> [(chain: String, board: ChainStateBoard)] {
        chains.compactMap { chain in board(for: chain).map { (chain, $0) } }
    }
}
