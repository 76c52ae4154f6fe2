import Synchronization

/// A key → process directory whose entries vanish when their process exits.
///
/// - `.unique` keys map to at most one process; registering a taken key throws
///   `RegistryError.alreadyRegistered(pid)`.
/// - `.duplicate` keys map to many entries; one process may register the same key twice
///   (for example one subscription key per client subscription).
///
/// Lookups take one lock and never touch a mailbox, so the request hot path can use them, and
/// they never return a process that has exited. When a process exits, all its entries go:
/// removed by the registry's `RegistryKeeper` process when one has adopted it (the tree's
/// `ProcessRegistry`, `Registry` and `PubSub`), or by a monitor of the registry's own while
/// none runs. A unique key held by an exited process whose entry is not yet removed is free.
///
/// ```swift
/// let names = Registry<String, Void>(keys: .unique)
/// let pool = try await ServerRef.start(label: "ProviderPool", runtime: runtime) { Counter() }
/// try names.register("ethereum", value: (), process: pool.process)
/// let found = names.whereis("ethereum")   // pool.process, until it exits; then nil
/// ```
/// (Compiled and run by `SupervisionTests/DocExampleTests`.)
public final class Registry<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public enum Keys: Sendable { case unique, duplicate }

    /// One registration.
    public struct Entry: Sendable {
        public let process: ProcessRef
        public let value: Value
    }

    private struct State {
        var entries: [Key: [Entry]] = [:]
        var keysByPID: [PID: [Key]] = [:]
        /// Processes with a registry monitor attached, and its id.
        var monitored: [PID: UInt64] = [:]
        /// The process that removes the entries of exited processes, once one has adopted us.
        var keeper: ServerRef<RegistryKeeper>?

        mutating func remove(_ key: Key, of pid: PID) {
            entries[key]?.removeAll { $0.process.pid == pid }
            if entries[key]?.isEmpty == true { entries[key] = nil }
            keysByPID[pid]?.removeAll { $0 == key }
            if keysByPID[pid]?.isEmpty == true { keysByPID[pid] = nil }
        }
    }

    public let keys: Keys
    private let state = Mutex(State())

    public init(keys: Keys) { self.keys = keys }

    /// Registers `process` under `key` with `value`.
    /// - Throws: `RegistryError.alreadyRegistered(pid)` for a unique key held by a live process.
    public func register(_ key: Key, value: Value, process: ProcessRef) throws {
        let (needsMonitor, keeper): (Bool, ServerRef<RegistryKeeper>?) = try state.withLock { state in
            if keys == .unique, let holder = state.entries[key]?.first {
                guard !holder.process.isAlive else { throw RegistryError.alreadyRegistered(holder.process.pid) }
                state.remove(key, of: holder.process.pid)
            }
            state.entries[key, default: []].append(Entry(process: process, value: value))
            state.keysByPID[process.pid, default: []].append(key)
            return (state.monitored[process.pid] == nil, state.keeper)
        }
        // A keeper that exited before handling this leaves it to its successor, which adopts
        // every entry; one that is already gone cannot take it, so the registry watches itself.
        if let keeper, keeper.core.deliver(.cast(.watch(process))) { return }
        guard needsMonitor else { return }
        let pid = process.pid
        if let monitorID = process.core.addMonitor({ [weak self] _, _ in self?.removeAll(of: pid) }) {
            state.withLock { $0.monitored[pid] = monitorID }
        } else {
            removeAll(of: pid)
        }
    }

    /// Removes `process`'s entries under `key`.
    public func unregister(_ key: Key, process: ProcessRef) {
        state.withLock { $0.remove(key, of: process.pid) }
    }

    /// The entries under `key` whose process runs, in registration order.
    public func lookup(_ key: Key) -> [Entry] {
        let entries = state.withLock { $0.entries[key] ?? [] }
        // Closures, not key paths: in this generic type a key path is instantiated on every call.
        return entries.allSatisfy({ $0.process.isAlive }) ? entries : entries.filter { $0.process.isAlive }
    }

    /// Calls `body` once with all entries under `key`; not at all when there are none.
    public func dispatch(_ key: Key, _ body: ([Entry]) throws -> Void) rethrows {
        let entries = lookup(key)
        guard !entries.isEmpty else { return }
        try body(entries)
    }

    /// The keys `pid` is registered under.
    public func keys(of pid: PID) -> [Key] {
        state.withLock { $0.keysByPID[pid] ?? [] }
    }

    /// Number of keys with at least one entry, counting entries not yet removed after their
    /// process exited.
    public var count: Int { state.withLock { $0.entries.count } }

    /// This registry as a table a `RegistryKeeper` can adopt.
    public var keptTable: RegistryKeeper.Table {
        RegistryKeeper.Table(
            adopt: { keeper in
                self.state.withLock { state in
                    state.keeper = keeper
                    return Array(Set(state.entries.values.joined().map(\.process)))
                }
            },
            release: { keeper in self.state.withLock { if $0.keeper == keeper { $0.keeper = nil } } },
            removeAll: { pid in self.removeAll(of: pid) })
    }

    func removeAll(of pid: PID) {
        state.withLock { state in
            state.monitored[pid] = nil
            for key in state.keysByPID.removeValue(forKey: pid) ?? [] {
                state.entries[key]?.removeAll { $0.process.pid == pid }
                if state.entries[key]?.isEmpty == true { state.entries[key] = nil }
            }
        }
    }
}

extension Registry where Value == Void {
    /// A name for `ChildSpec.name`: each incarnation of the child registers under `key`, so the
    /// name resolves to the new process after a restart.
    public func name(_ key: Key) -> RegistryName<Key> { RegistryName(registry: self, key: key) }

    /// The process registered under a unique `key`.
    public func whereis(_ key: Key) -> ProcessRef? { lookup(key).first?.process }
}

/// A registry name, bound by supervisors each time the child starts.
public struct RegistryName<Key: Hashable & Sendable>: ProcessNaming {
    let registry: Registry<Key, Void>
    let key: Key

    public func bind(_ process: ProcessRef) throws {
        do {
            try registry.register(key, value: (), process: process)
        } catch let RegistryError.alreadyRegistered(pid) {
            throw SupervisorError.alreadyStarted(pid)
        }
    }
}

/// Errors of `Registry`.
public enum RegistryError: Error, Sendable, Equatable {
    /// The unique key is held by this live process.
    case alreadyRegistered(PID)
}
