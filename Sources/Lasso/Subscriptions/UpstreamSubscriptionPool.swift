import Supervision

/// `UpstreamSubscriptionPool(<chain>)`: the process that keeps one upstream subscription per
/// `SubscriptionKey`, however many clients follow it.
///
/// Guarantees:
/// - **One upstream per key.** The first client attached to a key makes the pool send
///   `eth_subscribe` to the best connected provider (`SubscriptionPlacement`); clients attached
///   while it is being confirmed wait for that same confirmation, later ones are confirmed at
///   once. The last client detached sends `eth_unsubscribe` upstream.
/// - **Confirmation before events.** A client is confirmed (through
///   `ClientSubscriptionRegistry`) before any event of its key is handed on, because both go
///   through the registry's mailbox in the order the pool sends them.
/// - **Failover keeps client ids.** When a provider's WebSocket drops, every key it carried is
///   re-subscribed on another eligible provider; clients keep their subscription ids and simply
///   receive the new upstream's events. Events between the drop and the new confirmation are
///   not replayed yet (that is gap filling's job). A connection that exits without a word (a
///   brutal kill skips its `terminate`) counts as dropped: the pool monitors every connection
///   it placed a key on.
/// - **No key waits forever.** A key without a provider is placed again when any provider
///   connects and, while any key still has none, every `retryInterval` (1 s): a connection
///   reports itself up before the board lists it, and a provider can become eligible again
///   (breaker closing, cooldown ending, catching up) without connecting anew.
/// - **Placement failures are bounded.** A provider that fails or times out is skipped for the
///   rest of that placement; when every candidate failed, or none is connected, the clients
///   still waiting get a JSON-RPC error, while already confirmed clients stay attached until a
///   provider connects.
/// - **No orphans.** An event for an upstream subscription the pool does not know (one made
///   before a restart, or confirmed after its last client left) gets it unsubscribed.
///
/// `WSConnection` casts its connection changes and every message that is not a reply to one of
/// its own requests (`.connection`, `.upstreamMessage`); subscribe and unsubscribe requests go
/// out as ordinary requests over the connection, so their replies come back by lassod's ids.
/// After a restart the pool hands the registry its own reference (`poolRestarted`), and the
/// registry attaches its clients to that incarnation, which is not yet reachable by name.
public struct UpstreamSubscriptionPool: GenServer {
    /// What the pool answers.
    public enum Call: Sendable {
        /// Every upstream subscription, sorted by key.
        case status
    }

    /// The answer to `status`.
    public typealias Reply = [UpstreamSubscriptionStatus]

    /// The pool's own timer.
    public enum Info: Sendable {
        /// Time to try again the keys that have no provider.
        case retry
    }

    /// What the registry, the connections and placements tell the pool.
    public enum Cast: Sendable {
        /// A client subscription follows `key`.
        case attach(client: String, key: SubscriptionKey)
        /// A client subscription stopped following `key`.
        case detach(client: String, key: SubscriptionKey)
        /// A provider's WebSocket came up or went down.
        case connection(provider: String, up: Bool)
        /// A message from a provider that answered none of its connection's pending requests.
        case upstreamMessage(provider: String, body: [UInt8])
        /// The registry restarted: its clients are gone.
        case registryRestarted
        /// The answer to placement `attempt` of `key` on `provider`.
        case placed(key: SubscriptionKey, attempt: UInt64, provider: String, reply: UpstreamReply)
    }

    /// Where an upstream subscription's events come from.
    private struct Route: Hashable {
        var provider: String
        var upstreamID: String
    }

    private struct Upstream {
        var clients: Set<String> = []
        /// Clients not yet confirmed.
        var waiting: Set<String> = []
        var provider: String?
        /// The connection the current placement went to, monitored.
        var connection: ServerRef<WSConnection>?
        var upstreamID: String?
        /// Bumped by every placement; replies to older ones are stale.
        var attempt: UInt64 = 0
        /// Providers that failed the current placement.
        var tried: Set<String> = []
    }

    /// Upstream ids already unsubscribed (a dropped key's, a stale placement's, an orphan's),
    /// remembered so that their events still in flight send no further `eth_unsubscribe`;
    /// cleared when it reaches this size.
    static let maxDismissed = 1_024

    /// How often keys without a provider are placed again.
    public static let retryInterval: Duration = .seconds(1)

    let chain: String
    let board: ChainStateBoard
    let names: ProcessNames
    let confirmationTimeout: Duration
    let retryInterval: Duration
    private var upstreams: [SubscriptionKey: Upstream] = [:]
    private var routes: [Route: SubscriptionKey] = [:]
    private var dismissed: Set<Route> = []
    private var attempts: UInt64 = 0
    /// Connections keys were placed on, by process, with their monitor.
    private var monitored: [PID: MonitorID] = [:]
    private var retryTimer: TimerHandle?

    /// The pool of `chain`, placing on the providers `board` offers; an upstream has
    /// `confirmationTimeout` to confirm.
    public init(chain: String, board: ChainStateBoard, names: ProcessNames, confirmationTimeout: Duration,
                retryInterval: Duration = Self.retryInterval) {
        self.chain = chain
        self.board = board
        self.names = names
        self.confirmationTimeout = confirmationTimeout
        self.retryInterval = retryInterval
    }

    /// The registered name, for `ProcessNames`.
    public static func processKey(chain: String) -> String {
        ProcessNames.chainKey(chain, "UpstreamSubscriptionPool")
    }

    /// The running pool of `chain`, if any.
    public static func running(chain: String, names: ProcessNames) -> ServerRef<UpstreamSubscriptionPool>? {
        names.server(processKey(chain: chain), as: UpstreamSubscriptionPool.self)
    }

    /// The child spec; each incarnation registers in `names` under `processKey(chain:)`.
    public static func childSpec(chain: ChainConfig, board: ChainStateBoard, names: ProcessNames,
                                 confirmationTimeout: Duration, retryInterval: Duration = Self.retryInterval) -> ChildSpec {
        let label = "UpstreamSubscriptionPool(\(chain.key))"
        return ChildSpec(id: "UpstreamSubscriptionPool", name: names.name(processKey(chain: chain.key))) { runtime in
            try await ServerRef.start(label: label, runtime: runtime) {
                UpstreamSubscriptionPool(chain: chain.key, board: board, names: names,
                                         confirmationTimeout: confirmationTimeout, retryInterval: retryInterval)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        // By reference: this incarnation's name is bound only once `initialize` returns.
        registry?.cast(.poolRestarted(context.ref))
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Reply {
        upstreams.map { key, upstream in
            UpstreamSubscriptionStatus(key: key, provider: upstream.provider, upstreamID: upstream.upstreamID,
                                       clients: upstream.clients.count)
        }.sorted { $0.key.description < $1.key.description }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .attach(let client, let key):
            attach(client, key, context: context)
        case .detach(let client, let key):
            detach(client, key)
        case .connection(let provider, let up):
            if up { placeUnplaced(context: context) } else { disconnected(provider, context: context) }
        case .upstreamMessage(let provider, let body):
            deliver(provider, body)
            return  // an event places nothing: no need to look for stuck keys
        case .registryRestarted:
            for key in Array(upstreams.keys) { drop(key) }
        case .placed(let key, let attempt, let provider, let reply):
            placed(key, attempt, provider, reply, context: context)
        }
        armRetryIfStuck(context: context)
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        retryTimer = nil
        placeUnplaced(context: context)
        armRetryIfStuck(context: context)
    }

    public mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {
        guard monitored.removeValue(forKey: down.pid) != nil else { return }
        for (key, upstream) in upstreams where upstream.connection?.pid == down.pid {
            if let provider = upstream.provider { lose(key, upstream, provider: provider, context: context) }
        }
        armRetryIfStuck(context: context)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        retryTimer?.cancel()
    }

    // MARK: - Clients

    private mutating func attach(_ client: String, _ key: SubscriptionKey, context: ServerContext<Self>) {
        var upstream = upstreams[key] ?? Upstream()
        let isNew = upstream.clients.isEmpty
        upstream.clients.insert(client)
        if upstream.upstreamID != nil {
            upstreams[key] = upstream
            registry?.cast(.confirmed(clients: [client]))
            return
        }
        upstream.waiting.insert(client)
        upstreams[key] = upstream
        // A new key, or one that lost its provider and waits for one: try to place it now.
        if isNew || upstream.provider == nil { place(key, context: context) }
    }

    private mutating func detach(_ client: String, _ key: SubscriptionKey) {
        guard var upstream = upstreams[key] else { return }
        upstream.clients.remove(client)
        upstream.waiting.remove(client)
        if upstream.clients.isEmpty {
            drop(key)
        } else {
            upstreams[key] = upstream
        }
    }

    /// Forgets `key`, unsubscribing upstream when it was confirmed there.
    private mutating func drop(_ key: SubscriptionKey) {
        guard let upstream = upstreams.removeValue(forKey: key) else { return }
        if let provider = upstream.provider, let id = upstream.upstreamID {
            let route = Route(provider: provider, upstreamID: id)
            routes[route] = nil
            dismiss(route)
        }
    }

    // MARK: - Placement

    /// Sends `eth_subscribe` for `key` to the best provider not yet tried; refuses the waiting
    /// clients when there is none.
    private mutating func place(_ key: SubscriptionKey, context: ServerContext<Self>) {
        guard var upstream = upstreams[key] else { return }
        let now = MonotonicInstant(context.runtime.clock.now())
        let me = context.ref
        for provider in SubscriptionPlacement.providers(board.snapshot, now: now, excluding: upstream.tried) {
            guard let connection = connection(provider) else {
                upstream.tried.insert(provider)
                continue
            }
            attempts += 1
            let attempt = attempts
            if monitored[connection.pid] == nil { monitored[connection.pid] = context.monitor(connection.process) }
            upstream.provider = provider
            upstream.connection = connection
            upstream.upstreamID = nil
            upstream.attempt = attempt
            upstreams[key] = upstream
            let body = Self.request("eth_subscribe") { $0.raw("params", key.upstreamParams.utf8) }
            connection.cast(.send(body: body, timeout: confirmationTimeout) { reply in
                me.cast(.placed(key: key, attempt: attempt, provider: provider, reply: reply))
            })
            return
        }
        let message = upstream.tried.isEmpty
            ? "no WebSocket provider is connected for chain \(chain); subscriptions need one"
            : "no WebSocket provider of chain \(chain) accepted the subscription (tried "
                + upstream.tried.sorted().joined(separator: ", ") + ")"
        refuseWaiting(key, &upstream, code: JSONRPCErrorBody.serverError, message: message)
        upstream.provider = nil
        upstream.connection = nil
        upstream.tried = []
        upstreams[key] = upstream.clients.isEmpty ? nil : upstream
    }

    private mutating func placed(_ key: SubscriptionKey, _ attempt: UInt64, _ provider: String, _ reply: UpstreamReply,
                                 context: ServerContext<Self>) {
        let answer = Self.read(reply)
        guard var upstream = upstreams[key], upstream.attempt == attempt, upstream.provider == provider else {
            if case .subscribed(let id) = answer { dismiss(Route(provider: provider, upstreamID: id)) }
            return
        }
        switch answer {
        case .subscribed(let id):
            upstream.upstreamID = id
            upstream.tried = []
            routes[Route(provider: provider, upstreamID: id)] = key
            let confirmed = upstream.waiting
            upstream.waiting = []
            upstreams[key] = upstream
            if !confirmed.isEmpty { registry?.cast(.confirmed(clients: Array(confirmed))) }
        case .refused(let code, let message) where code == JSONRPCErrorBody.invalidParams:
            // The provider says the request itself is wrong: another provider would say the same.
            refuseWaiting(key, &upstream, code: code, message: message)
            upstream.provider = nil
            upstream.connection = nil
            upstreams[key] = upstream.clients.isEmpty ? nil : upstream
        case .refused, .failed:
            upstream.tried.insert(provider)
            upstream.provider = nil
            upstream.connection = nil
            upstreams[key] = upstream
            place(key, context: context)
        }
    }

    private mutating func refuseWaiting(_ key: SubscriptionKey, _ upstream: inout Upstream, code: Int, message: String) {
        guard !upstream.waiting.isEmpty else { return }
        registry?.cast(.refused(clients: Array(upstream.waiting), code: code, message: message))
        upstream.clients.subtract(upstream.waiting)
        upstream.waiting = []
    }

    // MARK: - Connections and events

    /// Keys waiting for a provider are placed again, on whichever is best now.
    private mutating func placeUnplaced(context: ServerContext<Self>) {
        for (key, upstream) in upstreams where upstream.provider == nil {
            upstreams[key]?.tried = []
            place(key, context: context)
        }
    }

    /// While a key has no provider, a timer places it again (see "No key waits forever").
    private mutating func armRetryIfStuck(context: ServerContext<Self>) {
        guard retryTimer == nil, upstreams.values.contains(where: { $0.provider == nil }) else { return }
        retryTimer = context.sendAfter(.retry, after: retryInterval)
    }

    private mutating func disconnected(_ provider: String, context: ServerContext<Self>) {
        dismissed = dismissed.filter { $0.provider != provider }
        for (key, upstream) in upstreams where upstream.provider == provider {
            lose(key, upstream, provider: provider, context: context)
        }
    }

    /// `key` lost its provider: it is placed on another one (or waits for one).
    private mutating func lose(_ key: SubscriptionKey, _ upstream: Upstream, provider: String,
                               context: ServerContext<Self>) {
        if let id = upstream.upstreamID { routes[Route(provider: provider, upstreamID: id)] = nil }
        upstreams[key]?.provider = nil
        upstreams[key]?.connection = nil
        upstreams[key]?.upstreamID = nil
        upstreams[key]?.tried = [provider]
        place(key, context: context)
    }

    private mutating func deliver(_ provider: String, _ body: [UInt8]) {
        guard let found = SubscriptionNotification.scan(body) else { return }
        let route = Route(provider: provider, upstreamID: found.subscription)
        guard let key = routes[route] else {
            if !dismissed.contains(route) { dismiss(route) }
            return
        }
        registry?.cast(.deliver(key: key, body: body, subscription: found.range))
    }

    /// Unsubscribes an upstream id no key follows and remembers it, so that the events the
    /// provider sent before it read the `eth_unsubscribe` are dropped without sending another.
    private mutating func dismiss(_ route: Route) {
        if dismissed.count >= Self.maxDismissed { dismissed.removeAll() }
        dismissed.insert(route)
        unsubscribe(route.upstreamID, on: route.provider)
    }

    private func unsubscribe(_ id: String, on provider: String) {
        let body = Self.request("eth_unsubscribe") { json in
            json.beginArray("params")
            json.stringValue(id)
            json.endArray()
        }
        connection(provider)?.cast(.send(body: body, timeout: confirmationTimeout) { _ in })
    }

    /// A request for `method` with id 0, whose `params` member `params` writes.
    private static func request(_ method: String, params: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(capacity: 128)
        json.beginObject()
        json.string("jsonrpc", "2.0")
        json.int("id", 0)
        json.string("method", method)
        params(&json)
        json.endObject()
        return json.finish()
    }

    // MARK: - Helpers

    private var registry: ServerRef<ClientSubscriptionRegistry>? {
        ClientSubscriptionRegistry.running(chain: chain, names: names)
    }

    /// `provider`'s running connection: the one the chain's board routes its `ws` channel to,
    /// else the one registered under its name. The board first: a connection publishes itself
    /// there as it connects, before it tells this pool so, while its name is bound only once
    /// its `initialize` has returned — a lookup by name alone could miss a connection that
    /// came up at once.
    private func connection(_ provider: String) -> ServerRef<WSConnection>? {
        let state = board.current
        if let slot = state.slot(of: provider, transport: .ws), case .webSocket(let published)? = state.links[slot].route,
           let connection = published as? ServerRef<WSConnection>, connection.process.isAlive {
            return connection
        }
        return names.server(WSConnection.processKey(chain: chain, provider: provider), as: WSConnection.self)
    }

    /// What an `eth_subscribe` reply said.
    enum Answer: Equatable {
        case subscribed(String)
        case refused(code: Int, message: String)
        case failed
    }

    static func read(_ reply: UpstreamReply) -> Answer {
        guard case .response(_, _, let body) = reply, let scan = JSONRPCScanner.scanResponse(body) else { return .failed }
        if scan.isError {
            let message = scan.errorMessage.flatMap { JSONRPCScanner.decodeString(body, token: $0) } ?? "upstream error"
            return .refused(code: scan.errorCode ?? JSONRPCErrorBody.serverError, message: message)
        }
        guard let result = scan.result, let id = JSONRPCScanner.decodeString(body, token: result), !id.isEmpty else {
            return .failed
        }
        return .subscribed(id)
    }
}
