import Supervision
import LassoTransport

/// `ClientSubscriptionRegistry(<chain>)`: the process that knows every client subscription of
/// one chain — its id, the client connection it belongs to, and the key it follows — and fans
/// each upstream event out to the clients of its key.
///
/// Guarantees:
/// - **Ids.** Each client subscription gets lassod's own id, `0x` and 32 hex digits, unique
///   among the live ones, independent of any upstream id: it survives an upstream switch.
/// - **Replies.** `eth_subscribe` is answered once: with the id when the pool confirms, or with
///   the pool's JSON-RPC error. `eth_unsubscribe` answers `true` for a live subscription of the
///   same connection and `false` otherwise (another connection's ids are not revealed).
/// - **Fan-out.** An event reaches exactly the confirmed subscriptions of its key, each copy
///   with only the `subscription` field re-addressed; sends go to the transport's bounded
///   per-connection queues and never wait for a client.
/// - **Clean-up.** When a connection closes, all its subscriptions are removed and detached
///   from the pool.
/// - **Bounded.** A connection has at most `maxPerConnection` subscriptions, and the chain at
///   most `maxKeys` (1024) distinct keys (each one costs an upstream subscription); beyond either the
///   client gets a -32005 error with its id.
///
/// If the pool restarts, the registry attaches every subscription to the new incarnation it
/// names in `poolRestarted`; if the registry restarts, the pool drops its upstreams (their
/// clients' subscriptions are gone with it).
public struct ClientSubscriptionRegistry: GenServer {
    /// What clients (through `ClientWebSocketEndpoint`) and the pool tell the registry.
    public enum Cast: Sendable {
        /// A client's `eth_subscribe`, already validated; `requestID` is its id as sent.
        case subscribe(connection: WebSocketConnectionID, requestID: [UInt8], key: SubscriptionKey)
        /// A client's `eth_unsubscribe`.
        case unsubscribe(connection: WebSocketConnectionID, requestID: [UInt8], subscription: String)
        /// A client connection closed.
        case disconnected(WebSocketConnectionID)
        /// From the pool: these subscriptions are live upstream.
        case confirmed(clients: [String])
        /// From the pool: these subscriptions could not be made.
        case refused(clients: [String], code: Int, message: String)
        /// From the pool: an event of `key`; `subscription` is where its id is in `body`.
        case deliver(key: SubscriptionKey, body: [UInt8], subscription: Range<Int>)
        /// From a pool incarnation that just started and knows no client: attach them to it.
        case poolRestarted(ServerRef<UpstreamSubscriptionPool>)
    }

    private struct Subscription {
        let connection: WebSocketConnectionID
        let key: SubscriptionKey
        /// The `eth_subscribe` id still owed an answer; nil once confirmed.
        var pendingRequest: [UInt8]?
    }

    /// Subscriptions one connection may hold.
    public static let maxPerConnection = 256
    /// Distinct keys (upstream subscriptions) one chain may follow.
    public static let maxKeys = 1_024

    let chain: String
    let names: ProcessNames
    let sockets: ClientSockets
    let maxKeys: Int
    private var subscriptions: [String: Subscription] = [:]
    private var byKey: [SubscriptionKey: Set<String>] = [:]
    private var byConnection: [WebSocketConnectionID: Set<String>] = [:]
    private var generator = SystemRandomNumberGenerator()

    /// The registry of `chain`, finding its pool in `names` and its clients in `sockets`.
    public init(chain: String, names: ProcessNames, sockets: ClientSockets, maxKeys: Int = Self.maxKeys) {
        self.chain = chain
        self.names = names
        self.sockets = sockets
        self.maxKeys = maxKeys
    }

    /// The registered name, for `ProcessNames`.
    public static func processKey(chain: String) -> String {
        ProcessNames.chainKey(chain, "ClientSubscriptionRegistry")
    }

    /// The running registry of `chain`, if any.
    public static func running(chain: String, names: ProcessNames) -> ServerRef<ClientSubscriptionRegistry>? {
        names.server(processKey(chain: chain), as: ClientSubscriptionRegistry.self)
    }

    /// The child spec; each incarnation registers in `names` under `processKey(chain:)`.
    public static func childSpec(chain: ChainConfig, names: ProcessNames, sockets: ClientSockets,
                                 maxKeys: Int = Self.maxKeys) -> ChildSpec {
        let label = "ClientSubscriptionRegistry(\(chain.key))"
        return ChildSpec(id: "ClientSubscriptionRegistry", name: names.name(processKey(chain: chain.key))) { runtime in
            try await ServerRef.start(label: label, runtime: runtime) {
                ClientSubscriptionRegistry(chain: chain.key, names: names, sockets: sockets, maxKeys: maxKeys)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        pool?.cast(.registryRestarted)
    }

    /// Live subscription ids of `connection` (of every connection when nil), sorted.
    func subscriptionIDs(of connection: WebSocketConnectionID?) -> [String] {
        guard let connection else { return subscriptions.keys.sorted() }
        return (byConnection[connection] ?? []).sorted()
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .subscribe(let connection, let requestID, let key):
            subscribe(connection, requestID, key)
        case .unsubscribe(let connection, let requestID, let id):
            let owned = subscriptions[id]?.connection == connection
            if owned { remove(id) }
            sockets.send(connection, Self.reply(to: requestID) { $0.bool("result", owned) })
        case .disconnected(let connection):
            for id in byConnection[connection] ?? [] { remove(id) }
        case .confirmed(let clients):
            for id in clients {
                guard let subscription = subscriptions[id], let request = subscription.pendingRequest else { continue }
                subscriptions[id]?.pendingRequest = nil
                sockets.send(subscription.connection, Self.reply(to: request) { $0.string("result", id) })
            }
        case .refused(let clients, let code, let message):
            for id in clients {
                guard let subscription = subscriptions[id], let request = subscription.pendingRequest else { continue }
                forget(id)
                sockets.send(subscription.connection, JSONRPCErrorBody.make(id: request, code: code, message: message))
            }
        case .deliver(let key, let body, let range):
            for id in byKey[key] ?? [] {
                guard let subscription = subscriptions[id], subscription.pendingRequest == nil else { continue }
                sockets.send(subscription.connection, SubscriptionNotification.readdress(body, at: range, to: id))
            }
        case .poolRestarted(let pool):
            for (id, subscription) in subscriptions { pool.cast(.attach(client: id, key: subscription.key)) }
        }
    }

    private mutating func subscribe(_ connection: WebSocketConnectionID, _ requestID: [UInt8], _ key: SubscriptionKey) {
        guard (byConnection[connection]?.count ?? 0) < Self.maxPerConnection else {
            sockets.send(connection, JSONRPCErrorBody.make(
                id: requestID, code: JSONRPCErrorBody.limitExceeded,
                message: "too many subscriptions on this connection (at most \(Self.maxPerConnection))"))
            return
        }
        guard byKey[key] != nil || byKey.count < maxKeys else {
            sockets.send(connection, JSONRPCErrorBody.make(
                id: requestID, code: JSONRPCErrorBody.limitExceeded,
                message: "too many distinct subscriptions on chain \(chain) (at most \(maxKeys)); "
                    + "share a filter with an existing subscription"))
            return
        }
        guard let pool else {
            sockets.send(connection, JSONRPCErrorBody.make(id: requestID, code: JSONRPCErrorBody.serverError,
                                                           message: "subscriptions of chain \(chain) are restarting"))
            return
        }
        var id = newID()
        while subscriptions[id] != nil { id = newID() }
        subscriptions[id] = Subscription(connection: connection, key: key, pendingRequest: requestID)
        byKey[key, default: []].insert(id)
        byConnection[connection, default: []].insert(id)
        pool.cast(.attach(client: id, key: key))
    }

    /// Removes a subscription and detaches it from the pool.
    private mutating func remove(_ id: String) {
        guard let subscription = forget(id) else { return }
        pool?.cast(.detach(client: id, key: subscription.key))
    }

    @discardableResult
    private mutating func forget(_ id: String) -> Subscription? {
        guard let subscription = subscriptions.removeValue(forKey: id) else { return nil }
        byKey[subscription.key]?.remove(id)
        if byKey[subscription.key]?.isEmpty == true { byKey[subscription.key] = nil }
        byConnection[subscription.connection]?.remove(id)
        if byConnection[subscription.connection]?.isEmpty == true { byConnection[subscription.connection] = nil }
        return subscription
    }

    private mutating func newID() -> String {
        "0x" + Self.hex(generator.next()) + Self.hex(generator.next())
    }

    private static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The response to the client's request `id` (its raw bytes), whose `result` member
    /// `result` writes.
    private static func reply(to id: [UInt8], result: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(capacity: 96 + id.count)
        json.beginObject()
        json.string("jsonrpc", "2.0")
        json.raw("id", id)
        result(&json)
        json.endObject()
        return json.finish()
    }

    private var pool: ServerRef<UpstreamSubscriptionPool>? {
        UpstreamSubscriptionPool.running(chain: chain, names: names)
    }
}

extension ServerCall where Server == ClientSubscriptionRegistry {
    /// Live subscription ids of a connection (of every connection when nil), sorted.
    public static func subscriptions(_ connection: WebSocketConnectionID?)
        -> ServerCall<ClientSubscriptionRegistry, [String]> {
        .init { registry, _ in registry.subscriptionIDs(of: connection) }
    }
}
