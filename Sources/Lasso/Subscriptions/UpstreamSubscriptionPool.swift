import Supervision

/// `UpstreamSubscriptionPool(<chain>)`: the process that keeps one upstream subscription per
/// `SubscriptionKey`, followed by the key's `StreamCoordinator`.
///
/// Guarantees:
/// - **One upstream per key.** A coordinator's `follow` makes the pool send `eth_subscribe` to
///   the best connected provider (`SubscriptionPlacement`); `unfollow` sends `eth_unsubscribe`.
///   A follow for a key already placed is answered at once (a restarted coordinator).
/// - **Generations.** Every placement has its own generation, sent with `.placed` and with each
///   event, so the coordinator can tell a new upstream's first event from the old one's last.
/// - **Losses are reported, then repaired.** When a provider's WebSocket drops, its
///   `WSConnection` exits (the pool monitors every connection it placed on), the upstream sends
///   an error for the subscription, or the coordinator says it stalled (`replace`), the
///   coordinator is told `.lost` with the reason and the key is placed on another eligible
///   provider (the lost one is skipped for that placement).
/// - **No key waits forever.** A key without a provider is placed again when any provider
///   connects and every `retryInterval` (1 s) while any key still has none; when every
///   candidate failed, the coordinator hears `.refused` (its waiting clients get the error).
/// - **Liveness of logs keys.** A filter may match nothing for hours, so a logs key's silence
///   proves nothing. Every provider that carries a logs key also carries a `newHeads`
///   subscription: the chain's own `newHeads` key when it is placed there, else one of the
///   pool's (its liveness feed, never seen by clients, subscribed as soon as the first logs key
///   is sent there so that a provider's per-connection limit does not leave it out). Each header
///   goes to the coordinators of the logs keys on that provider (`providerHead`), which time
///   their stall rule by it and learn which blocks are complete. A provider that refuses the
///   feed has its logs keys told so (`livenessUnavailable`): they are not judged by headers
///   that cannot come.
/// - **No orphans.** An event for an upstream subscription the pool does not know (one made
///   before a restart, or confirmed after its key was dropped) gets it unsubscribed; the retry
///   timer also drops keys whose row left the `SubscriptionTable` while no coordinator ran.
///
/// `WSConnection` casts its connection changes and every message that is not a reply to one of
/// its own requests (`.connection`, `.upstreamMessage`); subscribe and unsubscribe requests go
/// out as ordinary requests over the connection, so their replies come back by lassod's ids.
/// A new incarnation tells every running coordinator (`poolRestarted`), which follows again.
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

    /// What coordinators, the connections and placements tell the pool.
    public enum Cast: Sendable {
        /// `coordinator` serves `key` now: place it, or say where it is placed.
        case follow(key: SubscriptionKey, coordinator: ServerRef<StreamCoordinator>)
        /// The coordinator `coordinator` retired: drop the key, unless another follows it now.
        case unfollow(key: SubscriptionKey, coordinator: PID)
        /// The coordinator finds placement `generation` failing (`reason`): place it elsewhere.
        case replace(key: SubscriptionKey, coordinator: PID, generation: UInt64, reason: FailoverReason)
        /// A provider's WebSocket came up or went down.
        case connection(provider: String, up: Bool)
        /// A message from a provider that answered none of its connection's pending requests.
        case upstreamMessage(provider: String, body: [UInt8])
        /// The answer to the liveness feed's `eth_subscribe` (placement `attempt`) on `provider`.
        case heartbeatPlaced(provider: String, attempt: UInt64, reply: UpstreamReply)
        /// The answer to placement `attempt` of `key` on `provider`.
        case placed(key: SubscriptionKey, attempt: UInt64, provider: String, reply: UpstreamReply)
    }

    /// Where an upstream subscription's events come from.
    private struct Route: Hashable {
        var provider: String
        var upstreamID: String
    }

    private struct Upstream {
        var follower: ServerRef<StreamCoordinator>?
        var provider: String?
        /// The connection the current placement went to, monitored.
        var connection: ServerRef<WSConnection>?
        var upstreamID: String?
        /// Bumped by every placement; replies to older ones are stale.
        var attempt: UInt64 = 0
        /// Providers that failed the current placement.
        var tried: Set<String> = []
        /// With `failover.enabled: false`, the provider the key was first placed on: the only one
        /// it is placed on again.
        var home: String?
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
    let table: SubscriptionTable
    /// `failover.enabled`: whether a key may move to another provider.
    let failsOver: Bool
    let confirmationTimeout: Duration
    let retryInterval: Duration
    private var upstreams: [SubscriptionKey: Upstream] = [:]
    private var routes: [Route: SubscriptionKey] = [:]
    private var dismissed: Set<Route> = []
    private var attempts: UInt64 = 0
    /// Connections keys were placed on, by process, with their monitor.
    private var monitored: [PID: MonitorID] = [:]
    private var retryTimer: TimerHandle?
    /// The liveness feed on each provider that carries a logs key.
    private var heartbeats: [String: Heartbeat] = [:]
    private var heartbeatRoutes: Set<Route> = []

    private struct Heartbeat {
        var attempt: UInt64
        var connection: PID
        var upstreamID: String?
        /// The provider would not take it (a per-connection limit): not asked again on this
        /// connection, and its logs keys are told they have no liveness feed.
        var refused = false
    }

    /// The pool of `chain`, placing on the providers `board` offers; an upstream has
    /// `confirmationTimeout` to confirm.
    init(chain: String, board: ChainStateBoard, names: ProcessNames, table: SubscriptionTable, failsOver: Bool = true,
         confirmationTimeout: Duration, retryInterval: Duration = Self.retryInterval) {
        self.failsOver = failsOver
        self.chain = chain
        self.board = board
        self.names = names
        self.table = table
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
    static func childSpec(chain: ChainConfig, board: ChainStateBoard, names: ProcessNames, table: SubscriptionTable,
                          failsOver: Bool = true, confirmationTimeout: Duration,
                          retryInterval: Duration = Self.retryInterval) -> ChildSpec {
        let label = "UpstreamSubscriptionPool(\(chain.key))"
        return ChildSpec(id: "UpstreamSubscriptionPool", name: names.name(processKey(chain: chain.key))) { runtime in
            try await ServerRef.start(label: label, runtime: runtime) {
                UpstreamSubscriptionPool(chain: chain.key, board: board, names: names, table: table, failsOver: failsOver,
                                         confirmationTimeout: confirmationTimeout, retryInterval: retryInterval)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        // By reference: this incarnation's name is bound only once `initialize` returns.
        for coordinator in table.coordinators() { coordinator.cast(.poolRestarted(context.ref)) }
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Reply {
        let clients = Dictionary(table.statuses().map { ($0.key, $0.clients) }, uniquingKeysWith: +)
        return upstreams.map { key, upstream in
            UpstreamSubscriptionStatus(key: key, provider: upstream.provider, upstreamID: upstream.upstreamID,
                                       clients: clients[key] ?? 0)
        }.sorted { $0.key.description < $1.key.description }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .follow(let key, let coordinator):
            follow(key, coordinator, context: context)
        case .unfollow(let key, let coordinator):
            if upstreams[key]?.follower?.pid == coordinator { drop(key) }
        case .replace(let key, let coordinator, let generation, let reason):
            guard let upstream = upstreams[key], upstream.follower?.pid == coordinator, upstream.attempt == generation,
                  let provider = upstream.provider else { break }
            if let id = upstream.upstreamID { dismiss(Route(provider: provider, upstreamID: id)) }
            lose(key, upstream, provider: provider, reason: reason, context: context)
        case .connection(let provider, let up):
            if up { placeUnplaced(context: context) } else { disconnected(provider, context: context) }
        case .upstreamMessage(let provider, let body):
            deliver(provider, body, context: context)
            return  // an event places nothing (an error re-places, and arms the retry itself)
        case .placed(let key, let attempt, let provider, let reply):
            placed(key, attempt, provider, reply, context: context)
        case .heartbeatPlaced(let provider, let attempt, let reply):
            heartbeatPlaced(provider, attempt, reply)
        }
        syncHeartbeats(context: context)
        armRetryIfStuck(context: context)
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        retryTimer = nil
        // Keys whose row is gone retired while no coordinator ran to unfollow them.
        for key in Array(upstreams.keys) where !table.hasRow(key) { drop(key) }
        placeUnplaced(context: context)
        syncHeartbeats(context: context)
        armRetryIfStuck(context: context)
    }

    public mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {
        guard monitored.removeValue(forKey: down.pid) != nil else { return }
        for (provider, beat) in heartbeats where beat.connection == down.pid { forgetHeartbeat(provider) }
        for (key, upstream) in upstreams where upstream.connection?.pid == down.pid {
            if let provider = upstream.provider {
                lose(key, upstream, provider: provider, reason: .connectionRestarted, context: context)
            }
        }
        syncHeartbeats(context: context)
        armRetryIfStuck(context: context)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        retryTimer?.cancel()
    }

    // MARK: - Coordinators

    private mutating func follow(_ key: SubscriptionKey, _ coordinator: ServerRef<StreamCoordinator>,
                                 context: ServerContext<Self>) {
        var upstream = upstreams[key] ?? Upstream()
        upstream.follower = coordinator
        upstreams[key] = upstream
        if let provider = upstream.provider {
            // Placed, or being placed: the coordinator hears of it when it is confirmed.
            if upstream.upstreamID != nil { coordinator.cast(.upstream(.placed(provider: provider, generation: upstream.attempt))) }
        } else {
            place(key, context: context)
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

    /// Sends `eth_subscribe` for `key` to the best provider not yet tried; tells the follower
    /// `.refused` when there is none (the key stays, and is placed again later).
    private mutating func place(_ key: SubscriptionKey, context: ServerContext<Self>) {
        guard var upstream = upstreams[key] else { return }
        let now = context.runtime.clock.now()
        let me = context.ref
        let home = failsOver ? nil : upstream.home
        for provider in SubscriptionPlacement.providers(board.snapshot, now: now, excluding: upstream.tried)
            where home == nil || provider == home {
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
        upstream.follower?.cast(.upstream(.refused(code: JSONRPCErrorBody.serverError, message: message)))
        upstream.provider = nil
        upstream.connection = nil
        upstream.tried = []
        upstreams[key] = upstream
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
            if !failsOver, upstream.home == nil { upstream.home = provider }
            routes[Route(provider: provider, upstreamID: id)] = key
            upstreams[key] = upstream
            upstream.follower?.cast(.upstream(.placed(provider: provider, generation: attempt)))
            if key.kind == .logs, heartbeats[provider]?.refused == true {
                upstream.follower?.cast(.livenessUnavailable(provider: provider))
            }
        case .refused(let code, let message) where code == JSONRPCErrorBody.invalidParams:
            // The provider says the request itself is wrong: another provider would say the same.
            upstream.follower?.cast(.upstream(.refused(code: code, message: message)))
            upstream.provider = nil
            upstream.connection = nil
            upstreams[key] = upstream
        case .refused, .failed:
            upstream.tried.insert(provider)
            upstream.provider = nil
            upstream.connection = nil
            upstreams[key] = upstream
            place(key, context: context)
        }
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
        forgetHeartbeat(provider)
        for (key, upstream) in upstreams where upstream.provider == provider {
            lose(key, upstream, provider: provider, reason: .socketClosed, context: context)
        }
    }

    /// `key` lost its provider: its follower is told, and it is placed on another one (or
    /// waits for one).
    private mutating func lose(_ key: SubscriptionKey, _ upstream: Upstream, provider: String, reason: FailoverReason,
                               context: ServerContext<Self>) {
        if let id = upstream.upstreamID {
            routes[Route(provider: provider, upstreamID: id)] = nil
            upstream.follower?.cast(.upstream(.lost(provider: provider, generation: upstream.attempt, reason: reason)))
        }
        upstreams[key]?.provider = nil
        upstreams[key]?.connection = nil
        upstreams[key]?.upstreamID = nil
        // Skipped for this placement, unless the key may not leave it: then it waits for it.
        upstreams[key]?.tried = failsOver ? [provider] : []
        place(key, context: context)
    }

    private mutating func deliver(_ provider: String, _ body: [UInt8], context: ServerContext<Self>) {
        guard let found = SubscriptionNotification.scan(body) else { return }
        let route = Route(provider: provider, upstreamID: found.subscription)
        if heartbeatRoutes.contains(route) {
            heartbeat(provider, body, found)
            return
        }
        guard let key = routes[route], let upstream = upstreams[key] else {
            if !dismissed.contains(route) { dismiss(route) }
            return
        }
        guard !found.isError else {
            // The provider ended the subscription with an error: it is no use any more.
            dismiss(route)
            lose(key, upstream, provider: provider, reason: .subscriptionError, context: context)
            armRetryIfStuck(context: context)
            return
        }
        upstream.follower?.cast(.event(generation: upstream.attempt, body: body))
        // The chain's own newHeads key is the liveness feed of the logs keys beside it.
        if key.kind == .newHeads { heartbeat(provider, body, found) }
    }

    // MARK: - Liveness feeds

    /// Subscribes the liveness feed on every provider a logs key is placed on (or being placed
    /// on) that carries no confirmed newHeads key, and unsubscribes it where none is needed.
    private mutating func syncHeartbeats(context: ServerContext<Self>) {
        var needed: Set<String> = []
        var carriesHeads: Set<String> = []
        for (key, upstream) in upstreams {
            guard let provider = upstream.provider else { continue }
            if key.kind == .logs { needed.insert(provider) }
            if key.kind == .newHeads, upstream.upstreamID != nil { carriesHeads.insert(provider) }
        }
        needed.subtract(carriesHeads)
        for (provider, beat) in heartbeats where !needed.contains(provider) {
            forgetHeartbeat(provider)
            if let id = beat.upstreamID { dismiss(Route(provider: provider, upstreamID: id)) }
        }
        let me = context.ref
        for provider in needed where heartbeats[provider] == nil {
            guard let connection = connection(provider) else { continue }
            attempts += 1
            let attempt = attempts
            if monitored[connection.pid] == nil { monitored[connection.pid] = context.monitor(connection.process) }
            heartbeats[provider] = Heartbeat(attempt: attempt, connection: connection.pid)
            let body = Self.request("eth_subscribe") { $0.raw("params", #"["newHeads"]"#.utf8) }
            connection.cast(.send(body: body, timeout: confirmationTimeout) { reply in
                me.cast(.heartbeatPlaced(provider: provider, attempt: attempt, reply: reply))
            })
        }
    }

    private mutating func heartbeatPlaced(_ provider: String, _ attempt: UInt64, _ reply: UpstreamReply) {
        let answer = Self.read(reply)
        guard heartbeats[provider]?.attempt == attempt else {
            if case .subscribed(let id) = answer { dismiss(Route(provider: provider, upstreamID: id)) }
            return
        }
        switch answer {
        case .subscribed(let id):
            heartbeats[provider]?.upstreamID = id
            heartbeatRoutes.insert(Route(provider: provider, upstreamID: id))
        case .refused:
            heartbeats[provider]?.refused = true
            for (key, upstream) in upstreams where key.kind == .logs && upstream.provider == provider {
                upstream.follower?.cast(.livenessUnavailable(provider: provider))
            }
        case .failed:
            // Tried again at the next change or retry.
            heartbeats[provider] = nil
        }
    }

    private mutating func forgetHeartbeat(_ provider: String) {
        guard let beat = heartbeats.removeValue(forKey: provider) else { return }
        if let id = beat.upstreamID { heartbeatRoutes.remove(Route(provider: provider, upstreamID: id)) }
    }

    /// A header of `provider`'s liveness feed: to every logs key it carries.
    private func heartbeat(_ provider: String, _ body: [UInt8], _ found: SubscriptionNotification.Found) {
        guard let result = found.result,
              case .head(let head)? = StreamEvent(result: body, range: result, kind: .newHeads) else { return }
        for (key, upstream) in upstreams where key.kind == .logs && upstream.provider == provider {
            upstream.follower?.cast(.providerHead(provider: provider, head: head))
        }
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

    /// A request for `method` with id 0 (the connection puts its own id in), whose `params`
    /// member `params` writes.
    private static func request(_ method: String, params: (inout JSONWriter) -> Void) -> [UInt8] {
        JSONRPCRequestBody.make(method, id: 0, params: params)
    }

    // MARK: - Helpers

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
