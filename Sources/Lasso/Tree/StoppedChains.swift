import Synchronization

/// The chains an operator stopped (`lassod ctl stop-chain`), which stay stopped until an
/// operator starts them again — also across a restart of `ChainsSupervisor`, whose start runs
/// every configured chain except these.
///
/// The `ConfigStore` process is the only writer: it adds a chain when `stop-chain` stops it,
/// and removes it when it starts the chain (`start-chain`, `restart-chain`, a reload) or a
/// reload removes it from the config. The table is created by `LassoApplication` and outlives
/// both processes, so neither's restart forgets an operator's stop.
///
/// ```swift
/// stopped.insert("base")                   // ConfigStore, after stop-chain base
/// let skipped = stopped.contains("base")   // ChainsSupervisor's start: true, base is skipped
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class StoppedChains: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// No chain stopped.
    public init() {}

    /// Whether an operator stopped `chain` and nobody started it since.
    public func contains(_ chain: String) -> Bool {
        keys.withLock { $0.contains(chain) }
    }

    func insert(_ chain: String) {
        _ = keys.withLock { $0.insert(chain) }
    }

    func remove(_ chain: String) {
        _ = keys.withLock { $0.remove(chain) }
    }
}
