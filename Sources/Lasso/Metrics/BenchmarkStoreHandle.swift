import Supervision
import Synchronization

/// Where the running `BenchmarkStore` process is found by the request path: each incarnation
/// publishes its reference here when it starts, so the attempt recorder reaches the current
/// one with one lock and no lookup by name.
///
/// A successor replaces its predecessor's reference as it starts; until then the reference is
/// the dead one's, and what is cast to it is dropped — as it would be with no store running.
///
/// ```swift
/// let handle = BenchmarkStoreHandle()
/// let spec = BenchmarkStoreServer.childSpec(directory: directory, chains: chains, names: names, handle: handle)
/// handle.current?.cast(.recordAll(samples))   // the recorder, once per batch
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class BenchmarkStoreHandle: Sendable {
    private let store = Mutex<ServerRef<BenchmarkStoreServer>?>(nil)

    /// A handle no store has published itself in yet.
    public init() {}

    /// The incarnation that published itself last; `nil` before the first one started.
    public var current: ServerRef<BenchmarkStoreServer>? { store.withLock { $0 } }

    /// Publishes `store` as the running incarnation.
    func publish(_ store: ServerRef<BenchmarkStoreServer>) {
        self.store.withLock { $0 = store }
    }
}
