import Synchronization
import Supervision
import LassoTransport

/// Every client subscription of one chain, and each key's stream state: the table the
/// subscription processes share, kept outside all of them so that none of their restarts — nor
/// `restart-chain` — loses a client or makes a stream start over (an ETS table with an heir,
/// in OTP terms; `SubscriptionTables` owns it for the application's lifetime).
///
/// Who writes what:
/// - `ClientWebSocketEndpoint` adds and removes clients, synchronously, on the loop thread: no
///   client operation can be lost in the mailbox of a process that is restarting.
/// - Each key's `StreamCoordinator` binds itself to its row, confirms and refuses pending
///   clients, and records every delivery (`withRow`) *before* it sends it: a successor never
///   sends an event twice and never skips one it did not see committed.
/// - `ClientSubscriptionRegistry` starts a coordinator for every row that has clients and none.
///
/// Every operation is one short critical section; none calls out while holding the lock.
public final class SubscriptionTable: Sendable {
    public let chain: String
    private let state = Mutex(State())

    private struct State {
        var owners: [String: Owner] = [:]
        var byConnection: [WebSocketConnectionID: Set<String>] = [:]
        var rows: [SubscriptionKey: StreamRow] = [:]
        /// Counters of keys that retired, per kind, so that `/metrics` never goes backwards.
        var retired: [SubscriptionKey.Kind: StreamCounters] = [:]
    }

    private struct Owner {
        let connection: WebSocketConnectionID
        let key: SubscriptionKey
    }

    /// What `subscribe` did.
    public enum SubscribeOutcome: Sendable {
        /// The client waits for its answer from `coordinator`; nil when the key has none running
        /// yet (the registry starts one).
        case added(id: String, coordinator: ServerRef<StreamCoordinator>?)
        /// Over a limit: answer the client with this error.
        case refused(code: Int, message: String)
    }

    /// What `bind` found.
    enum Binding {
        /// The caller now serves the key.
        case bound
        /// The key has no client (it retired) or another running coordinator serves it.
        case notNeeded
    }

    public init(chain: String) {
        self.chain = chain
    }

    // MARK: - Clients (the endpoint)

    /// Adds `connection`'s subscription to `key`, pending until its coordinator answers.
    public func subscribe(connection: WebSocketConnectionID, requestID: [UInt8], key: SubscriptionKey,
                          maxPerConnection: Int, maxKeys: Int) -> SubscribeOutcome {
        state.withLock { state in
            guard (state.byConnection[connection]?.count ?? 0) < maxPerConnection else {
                return .refused(code: JSONRPCErrorBody.limitExceeded,
                                message: "too many subscriptions on this connection (at most \(maxPerConnection))")
            }
            guard state.rows[key] != nil || state.rows.count < maxKeys else {
                return .refused(code: JSONRPCErrorBody.limitExceeded,
                                message: "too many distinct subscriptions on chain \(chain) (at most \(maxKeys)); "
                                    + "share a filter with an existing subscription")
            }
            var id = Self.newID()
            while state.owners[id] != nil { id = Self.newID() }
            state.owners[id] = Owner(connection: connection, key: key)
            state.byConnection[connection, default: []].insert(id)
            var row = state.rows[key] ?? StreamRow(key: key)
            row.pending.append(PendingSubscription(id: id, connection: connection, requestID: requestID))
            state.rows[key] = row
            return .added(id: id, coordinator: row.coordinator.flatMap { $0.process.isAlive ? $0 : nil })
        }
    }

    /// Removes subscription `id` if `connection` owns it; the coordinator to tell is returned
    /// with it (its key may have become idle).
    public func unsubscribe(connection: WebSocketConnectionID, id: String)
        -> (owned: Bool, coordinator: ServerRef<StreamCoordinator>?) {
        state.withLock { state in
            guard let owner = state.owners[id], owner.connection == connection else { return (false, nil) }
            return (true, Self.remove(id, owner, from: &state))
        }
    }

    /// Removes every subscription of `connection`; returns the coordinators whose keys lost clients.
    public func disconnect(_ connection: WebSocketConnectionID) -> [ServerRef<StreamCoordinator>] {
        state.withLock { state in
            guard let ids = state.byConnection[connection] else { return [] }
            var coordinators: [PID: ServerRef<StreamCoordinator>] = [:]
            for id in ids {
                guard let owner = state.owners[id] else { continue }
                if let coordinator = Self.remove(id, owner, from: &state) { coordinators[coordinator.pid] = coordinator }
            }
            return Array(coordinators.values)
        }
    }

    /// Every connection holding a subscription, removed from the table (the chain is stopped
    /// for good: the caller closes them).
    public func removeAll() -> [WebSocketConnectionID] {
        state.withLock { state in
            let connections = Array(state.byConnection.keys)
            for (_, row) in state.rows { state.retired[row.status.key.kind, default: .init()].add(row.status.counters) }
            state.owners = [:]
            state.byConnection = [:]
            state.rows = [:]
            return connections
        }
    }

    private static func remove(_ id: String, _ owner: Owner, from state: inout State) -> ServerRef<StreamCoordinator>? {
        state.owners[id] = nil
        state.byConnection[owner.connection]?.remove(id)
        if state.byConnection[owner.connection]?.isEmpty == true { state.byConnection[owner.connection] = nil }
        guard var row = state.rows[owner.key] else { return nil }
        row.live.removeAll { $0.id == id }
        row.pending.removeAll { $0.id == id }
        state.rows[owner.key] = row
        return row.coordinator
    }

    // MARK: - Coordinators

    /// Makes `coordinator` the one serving `key`, unless the key has no client left or another
    /// running coordinator already serves it.
    func bind(_ key: SubscriptionKey, _ coordinator: ServerRef<StreamCoordinator>) -> Binding {
        state.withLock { state in
            guard var row = state.rows[key], row.hasClients else { return .notNeeded }
            if let bound = row.coordinator, bound != coordinator, bound.process.isAlive { return .notNeeded }
            row.coordinator = coordinator
            state.rows[key] = row
            return .bound
        }
    }

    /// Reads and changes `key`'s row in one critical section; nil when the key has no row.
    func withRow<T: Sendable>(_ key: SubscriptionKey, _ body: (inout StreamRow) -> T) -> T? {
        // In place (optional chaining on a mutating method), so that the row's arrays are not copied.
        state.withLock { $0.rows[key]?.change(body) }
    }

    /// The clients an event of `key` goes to.
    func fanOutTargets(_ key: SubscriptionKey) -> [FanOutTarget] {
        state.withLock { $0.rows[key]?.live ?? [] }
    }

    /// Moves `key`'s pending clients to its live ones and returns them, to be answered.
    func confirmPending(_ key: SubscriptionKey) -> [PendingSubscription] {
        withRow(key) { row in
            let confirmed = row.pending
            row.pending = []
            row.live.append(contentsOf: confirmed.map { FanOutTarget(id: $0.id, connection: $0.connection) })
            row.status.clients = row.live.count
            row.status.pending = 0
            return confirmed
        } ?? []
    }

    /// Removes `key`'s pending clients and returns them, to be refused.
    func refusePending(_ key: SubscriptionKey) -> [PendingSubscription] {
        state.withLock { state in
            guard var row = state.rows[key] else { return [] }
            let refused = row.pending
            row.pending = []
            for pending in refused {
                state.owners[pending.id] = nil
                state.byConnection[pending.connection]?.remove(pending.id)
                if state.byConnection[pending.connection]?.isEmpty == true { state.byConnection[pending.connection] = nil }
            }
            state.rows[key] = row
            return refused
        }
    }

    /// Removes `key`'s row when no client is left and `coordinator` still serves it; true when
    /// the coordinator may stop. A subscribe racing this either lands first (the row stays) or
    /// finds no row and starts a fresh one.
    func retireIfIdle(_ key: SubscriptionKey, _ coordinator: ServerRef<StreamCoordinator>) -> Bool {
        state.withLock { state in
            guard let row = state.rows[key] else { return true }
            guard !row.hasClients, row.coordinator == nil || row.coordinator == coordinator else { return false }
            state.retired[key.kind, default: .init()].add(row.status.counters)
            state.rows[key] = nil
            return true
        }
    }

    /// Forgets which coordinators serve the keys: they are gone (their supervisor restarted).
    func forgetCoordinators() {
        state.withLock { state in
            for key in Array(state.rows.keys) { state.rows[key]?.coordinator = nil }
        }
    }

    /// Keys with clients and no running coordinator.
    func keysNeedingCoordinator() -> [SubscriptionKey] {
        state.withLock { state in
            state.rows.compactMap { key, row in
                row.hasClients && !(row.coordinator?.process.isAlive ?? false) ? key : nil
            }
        }
    }

    /// The running coordinators.
    func coordinators() -> [ServerRef<StreamCoordinator>] {
        state.withLock { state in state.rows.values.compactMap { $0.coordinator.flatMap { $0.process.isAlive ? $0 : nil } } }
    }

    /// Whether `key` has a row.
    func hasRow(_ key: SubscriptionKey) -> Bool {
        state.withLock { $0.rows[key] != nil }
    }

    // MARK: - Status

    /// Every key's status, sorted by key.
    public func statuses() -> [StreamStatus] {
        state.withLock { state in
            state.rows.values.map { row in
                var status = row.status
                status.clients = row.live.count
                status.pending = row.pending.count
                return status
            }
        }.sorted { $0.key.description < $1.key.description }
    }

    /// The table's `/metrics` series, one per kind seen since start.
    public func series() -> [PrometheusSnapshot.SubscriptionSeries] {
        state.withLock { state in
            var byKind: [SubscriptionKey.Kind: PrometheusSnapshot.SubscriptionSeries] = [:]
            for (kind, counters) in state.retired {
                byKind[kind] = .init(chain: chain, kind: kind.rawValue, keys: 0, clients: 0, counters: counters)
            }
            for (key, row) in state.rows {
                var series = byKind[key.kind] ?? .init(chain: chain, kind: key.kind.rawValue, keys: 0, clients: 0,
                                                       counters: StreamCounters())
                series.keys += 1
                series.clients += row.live.count
                series.counters.add(row.status.counters)
                byKind[key.kind] = series
            }
            return byKind.values.sorted { $0.kind < $1.kind }
        }
    }

    /// The subscription ids `connection` holds (every connection's when nil), sorted.
    public func subscriptionIDs(of connection: WebSocketConnectionID?) -> [String] {
        state.withLock { state in
            guard let connection else { return state.owners.keys.sorted() }
            return (state.byConnection[connection] ?? []).sorted()
        }
    }

    // MARK: - Ids

    private static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "0x" + hex(generator.next()) + hex(generator.next())
    }

    private static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
