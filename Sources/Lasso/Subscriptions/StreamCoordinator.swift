import Supervision

/// `StreamCoordinator(<key>)`: the process that owns one subscription key's stream — what its
/// clients see. One per key, under the chain's `StreamSupervisor`; started when the key gets
/// its first client, retired (a normal exit) after its last client leaves.
///
/// Guarantees, with `subscriptions.enable_gap_filling` (see `HeadsContinuity`, `LogsContinuity`):
/// - **One stream.** Every client of the key gets the same events in the same order: each block
///   once (headers deduplicated by hash, logs by block hash and log index), never backwards.
/// - **Confirmed before events.** A client's `eth_subscribe` is answered by this process, which
///   is also the only sender of the key's events, so no event can overtake the answer.
/// - **Gap-free failover.** When the upstream is lost (socket closed, connection process gone,
///   subscription error, stalled, pool restarted) the missing blocks are fetched over HTTP
///   through the request pipeline (`GapFiller`), at once from the best known head and again
///   for any gap the new upstream's first event shows, while that upstream's events are held;
///   then the held events are delivered, duplicates dropped. At most `max_backfill_blocks` per
///   failover within `backfill_timeout_ms`; what is beyond is skipped and logged
///   (`subscription.gap_skipped`), newest blocks first.
/// - **Reorgs as geth sends them.** A replaced header is followed by the new one; delivered logs
///   of a replaced block are sent again with `"removed":true` before the new branch's logs.
/// - **Survives its own death.** What was delivered lives in the `SubscriptionTable` row and is
///   written before each send: a successor resumes from it, with a backfill, and clients keep
///   their ids.
/// - **Stall detection (`newHeads`).** No event for 3 block times while the best known head
///   (health probes) moved past the last delivered block makes the pool replace the upstream.
public struct StreamCoordinator: GenServer {
    public enum Cast: Sendable {
        /// From the pool, about the key's upstream.
        case upstream(UpstreamNotice)
        /// From the pool: an upstream notification of placement `generation`.
        case event(generation: UInt64, body: [UInt8])
        /// From the pool, for a logs key: a header of its provider's liveness feed.
        case providerHead(provider: String, head: StreamEvent.Head)
        /// From the pool, for a logs key: its provider refused the liveness feed.
        case livenessUnavailable(provider: String)
        /// From a pool incarnation that just started: follow the key there.
        case poolRestarted(ServerRef<UpstreamSubscriptionPool>)
        /// From the endpoint: the key's clients changed (someone subscribed or left).
        case clientsChanged
    }

    public enum Info: Sendable {
        /// Time to look for a stalled upstream.
        case stallCheck
        /// A backfill fetch of round `round` came back.
        case fetched(round: UInt64, GapFiller.Fetched)
        /// Fetch the rest of round `round` again (the provider did not have it yet, or failed).
        case retryRound(UInt64)
        /// Failover `serial`'s backfill time is up.
        case deadline(serial: UInt64)
        /// No placement heard of yet: ask the pool again.
        case refollow
        /// The head of placement `generation`'s provider, as it answered `eth_blockNumber`.
        case learnedHead(generation: UInt64, number: UInt64)
    }

    public enum Call: Sendable {
        case status
    }

    public typealias Reply = StreamStatus

    /// An event held while the gap before it is fetched.
    struct Held {
        var event: StreamEvent
        var result: [UInt8]
        /// False for the first event of an upstream (`LogsContinuity`); true for fetched ones.
        var continuous: Bool
    }

    /// A failover (or resync) in progress.
    private struct Failover {
        let serial: UInt64
        let reason: FailoverReason
        let from: String?
        let startedAt: RuntimeInstant
        /// Blocks still fetchable within `max_backfill_blocks`.
        var capLeft: Int
        var backfilled = 0
        var skipped = 0
        var duplicates = 0
        var deadline: TimerHandle?
        /// Logs keys: whether the delivered blocks were checked against the new source.
        var anchored = false
    }

    /// The id notifications are written with before each client's own is patched in.
    static let placeholderID = "0x" + String(repeating: "0", count: 32)
    /// How long a round first waits before asking again for blocks a provider did not have yet.
    static let retryDelay: Duration = .milliseconds(100)
    /// How often a coordinator that has heard of no placement asks the pool again.
    static let refollowInterval: Duration = .seconds(1)

    let key: SubscriptionKey
    let chain: String
    let table: SubscriptionTable
    let board: ChainStateBoard
    let names: ProcessNames
    let sockets: ClientSockets
    let filler: GapFiller
    let settings: SubscriptionSettings
    let logger: Logger?

    private var pool: ServerRef<UpstreamSubscriptionPool>?
    private var upstream: (provider: String, generation: UInt64)?
    private var phase: StreamStatus.Phase = .placing
    /// False until the current upstream's first event arrived.
    private var continuous = false
    private var lastEventAt = RuntimeInstant(nanoseconds: 0)
    private var held: [Held] = []
    private var failover: Failover?
    private var failovers: UInt64 = 0
    private var round: UInt64 = 0
    private var roundRange: ClosedRange<UInt64>?
    /// Fetches of the current round that came back short: each waits twice as long.
    private var roundRetries = 0
    private var shape = HeaderShape.blockWithoutBody
    private var stallTimer: TimerHandle?
    /// Logs keys: when the upstream's liveness feed last sent a header, and its number.
    private var lastHeadAt = RuntimeInstant(nanoseconds: 0)
    private var lastHead: UInt64?
    /// Logs keys: whether a header of the current upstream was taken in yet.
    private var headSeen = false
    /// Logs keys: false when the current upstream has no liveness feed (it refused one).
    private var hasLiveness = true
    private var refollowTimer: TimerHandle?

    init(key: SubscriptionKey, chain: String, table: SubscriptionTable, board: ChainStateBoard, names: ProcessNames,
         sockets: ClientSockets, filler: GapFiller, settings: SubscriptionSettings, logger: Logger?) {
        self.key = key
        self.chain = chain
        self.table = table
        self.board = board
        self.names = names
        self.sockets = sockets
        self.filler = filler
        self.settings = settings
        self.logger = logger
    }

    /// The child id: unique per key, without `/`, so `lassod ctl kill` can name it.
    static func childID(_ key: SubscriptionKey) -> String {
        switch key.kind {
        case .newHeads: "StreamCoordinator(newHeads)"
        case .logs: "StreamCoordinator(logs:\(SHA256.hash(key.filter.utf8).prefix(6).map { Self.hexByte($0) }.joined()))"
        }
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return byte < 16 ? "0" + digits : digits
    }

    /// The child spec: `transient`, so a crash or kill restarts it and retiring does not.
    static func childSpec(key: SubscriptionKey, chain: String, table: SubscriptionTable, board: ChainStateBoard,
                          names: ProcessNames, sockets: ClientSockets, filler: GapFiller, settings: SubscriptionSettings,
                          logger: Logger?) -> ChildSpec {
        let id = childID(key)
        return ChildSpec(id: id, restart: .transient, shutdown: .timeout(.seconds(5))) { runtime in
            try await ServerRef.start(label: "\(id)[\(chain)]", runtime: runtime) {
                StreamCoordinator(key: key, chain: chain, table: table, board: board, names: names, sockets: sockets,
                                  filler: filler, settings: settings, logger: logger)
            }.process
        }
    }

    // MARK: - Lifecycle

    public mutating func initialize(context: ServerContext<Self>) async throws {
        guard case .bound = table.bind(key, context.ref) else {
            context.stop(.normal)
            return
        }
        lastEventAt = context.runtime.clock.now()
        pool = UpstreamSubscriptionPool.running(chain: chain, names: names)
        pool?.cast(.follow(key: key, coordinator: context.ref))
        refollowTimer = context.sendAfter(.refollow, after: Self.refollowInterval)
        if table.withRow(key, { $0.continuity.firstMissingBlock != nil }) == true {
            // A successor: the stream goes on from what the table says was delivered.
            beginFailover(.resumed, from: nil, context: context)
        }
        publish { $0.phase = phase }
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> StreamStatus {
        table.statuses().first { $0.key == key } ?? StreamStatus(key: key)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        stallTimer?.cancel()
        refollowTimer?.cancel()
        failover?.deadline?.cancel()
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .upstream(.placed(let provider, let generation)):
            placed(provider, generation, context: context)
        case .upstream(.lost(let provider, let generation, let reason)):
            guard upstream?.generation == generation else { return }
            upstream = nil
            beginFailover(reason, from: provider, context: context)
        case .upstream(.refused(let code, let message)):
            for pending in table.refusePending(key) {
                sockets.send(pending.connection, JSONRPCErrorBody.make(id: pending.requestID, code: code, message: message))
            }
            retireIfIdle(context: context)
        case .event(let generation, let body):
            event(generation, body, context: context)
        case .providerHead(let provider, let head):
            providerHead(provider, head, context: context)
        case .livenessUnavailable(let provider):
            guard upstream?.provider == provider, hasLiveness else { return }
            hasLiveness = false
            logger?.log(.warning, "subscription.liveness_unavailable", [
                "chain": .string(chain), "key": .string(key.kind.rawValue), "provider": .string(provider)])
        case .poolRestarted(let newPool):
            pool = newPool
            if let lost = upstream {
                upstream = nil
                beginFailover(.poolRestarted, from: lost.provider, context: context)
            }
            newPool.cast(.follow(key: key, coordinator: context.ref))
        case .clientsChanged:
            if upstream != nil { confirmPending() }
            retireIfIdle(context: context)
        }
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .stallCheck:
            stallTimer = nil
            checkStall(context: context)
        case .fetched(let round, let fetched):
            guard round == self.round, phase == .backfilling else { return }
            filled(fetched, context: context)
        case .retryRound(let round):
            guard round == self.round, phase == .backfilling, let range = roundRange else { return }
            fetch(range, context: context)
        case .deadline(let serial):
            guard failover?.serial == serial, phase == .backfilling else { return }
            if let range = roundRange { skip(range, reason: "timeout") }
            round += 1
            finishBackfill(context: context)
        case .learnedHead(let generation, let number):
            guard upstream?.generation == generation, phase == .live, settings.continuity == .gapFilling,
                  let first = table.withRow(key, { $0.continuity.firstMissingBlock }) ?? nil else { return }
            // What the new provider has is fetched now, not when its next block shows the gap.
            let target = key.kind == .logs ? number &- 1 : number
            guard number > 0, first <= target else { return }
            beginBackfill(first...target, holding: nil, context: context)
        case .refollow:
            refollowTimer = nil
            guard upstream == nil else { return }
            pool = pool.flatMap { $0.process.isAlive ? $0 : nil } ?? UpstreamSubscriptionPool.running(chain: chain, names: names)
            pool?.cast(.follow(key: key, coordinator: context.ref))
            refollowTimer = context.sendAfter(.refollow, after: Self.refollowInterval)
        }
    }

    // MARK: - Upstream

    private mutating func placed(_ provider: String, _ generation: UInt64, context: ServerContext<Self>) {
        guard upstream?.generation != generation else { return }
        if upstream != nil {
            // A new placement while one was live: the pool re-placed without a word (it answered
            // a re-follow). The old generation's events are over: treat it as a failover.
            beginFailover(.socketClosed, from: upstream?.provider, context: context)
        }
        upstream = (provider, generation)
        // A key's first upstream has nothing before it to fill: its first event starts the stream.
        continuous = phase == .placing && failover == nil
        lastEventAt = context.runtime.clock.now()
        lastHeadAt = lastEventAt
        lastHead = nil
        headSeen = continuous
        hasLiveness = true
        refollowTimer?.cancel()
        refollowTimer = nil
        if phase == .placing || phase == .recovering { phase = .live }
        publish { status in
            status.provider = provider
            status.phase = phase
            status.lastFailover?.to = provider
        }
        confirmPending()
        armStallCheck(context: context)
        if failover != nil, settings.continuity == .gapFilling {
            let me = context.ref
            filler.head(board: board, from: .pinned(provider)) { number in
                if let number { me.info(.learnedHead(generation: generation, number: number)) }
            }
        }
        completeFailoverIfLive(context: context)
    }

    private mutating func event(_ generation: UInt64, _ body: [UInt8], context: ServerContext<Self>) {
        guard upstream?.generation == generation,
              let found = SubscriptionNotification.scan(body), let resultRange = found.result, !found.isError
        else { return }
        lastEventAt = context.runtime.clock.now()
        let result = Array(body[resultRange])
        guard let event = StreamEvent(result: result, range: result.indices, kind: key.kind) else {
            logger?.log(.warning, "subscription.event_unreadable", ["chain": .string(chain), "key": .string(key.kind.rawValue),
                                                                   "provider": .string(upstream?.provider ?? "")])
            return
        }
        // Backfilled headers take the shape of this upstream's own (learnt from its first one).
        if key.kind == .newHeads, !continuous || shape == .blockWithoutBody, let sample = HeaderShape(sample: result) {
            shape = sample
        }
        let item = Held(event: event, result: result, continuous: continuous)
        continuous = true
        guard phase != .backfilling else {
            held.append(item)
            return
        }
        _ = consume(item, context: context)
        completeFailoverIfLive(context: context)
    }

    /// A logs key's upstream is alive while its headers come; in a live stream each header also
    /// completes the blocks before it and may reveal a reorg of delivered logs.
    private mutating func providerHead(_ provider: String, _ head: StreamEvent.Head, context: ServerContext<Self>) {
        guard key.kind == .logs, upstream?.provider == provider else { return }
        lastHeadAt = context.runtime.clock.now()
        lastHead = head.block.number
        guard phase == .live, settings.continuity == .gapFilling else { return }
        guard headSeen else {
            // The new upstream's logs subscription may have started after the blocks below this
            // header went by: they are fetched, not taken as complete.
            headSeen = true
            let complete = table.withRow(key) { $0.status.completeThrough } ?? nil
            if let complete, head.block.number > complete &+ 1 {
                beginBackfill((complete + 1)...(head.block.number - 1), holding: nil, context: context)
                return
            }
            observe(head)
            completeFailoverIfLive(context: context)
            return
        }
        observe(head)
    }

    /// Takes in a header of the logs key's source: it completes the blocks before it, and a
    /// hash that differs from a delivered block's retracts that block's logs and the later ones.
    @discardableResult
    private func observe(_ head: StreamEvent.Head) -> ContinuityVerdict.Reorg? {
        let reorg: ContinuityVerdict.Reorg? = table.withRow(key) { row in
            let found = row.continuity.observeHead(head)
            if case .logs(let logs) = row.continuity { row.status.completeThrough = logs.completeThrough }
            if found != nil { row.status.counters.reorgs += 1 }
            return found
        } ?? nil
        guard let reorg else { return nil }
        logger?.log(.warning, "subscription.reorg", [
            "chain": .string(chain), "key": .string(key.kind.rawValue), "number": .int(Int(reorg.fromBlock)),
            "depth": .int(Int(reorg.depth)), "removed_logs": .int(reorg.orphaned.count),
            "unrecoverable_logs": .bool(reorg.incomplete)])
        fanOut(reorg.orphaned.compactMap { NotificationEnvelope.markRemoved($0.result) })
        return reorg
    }

    // MARK: - Delivery

    /// Judges `item` against what was delivered and acts on the verdict: send (after recording
    /// it in the table), drop, or hold it and fetch the gap before it. False when it started a
    /// backfill.
    private mutating func consume(_ item: Held, context: ServerContext<Self>) -> Bool {
        let policy = settings.continuity
        let judged: (verdict: ContinuityVerdict, messages: [[UInt8]])? = table.withRow(key) { row in
            let verdict = row.continuity.judge(item.event, policy: policy, continuous: item.continuous)
            switch verdict {
            case .dropDuplicate:
                row.status.counters.duplicatesDropped += 1
                return (verdict, [])
            case .dropStale:
                row.status.counters.staleDropped += 1
                return (verdict, [])
            case .gap:
                return (verdict, [])
            case .deliver, .deliverReorg:
                break
            }
            row.continuity.record(item.event, verdict, result: item.result)
            var messages: [[UInt8]] = []
            if case .deliverReorg(let reorg) = verdict {
                row.status.counters.reorgs += 1
                messages = reorg.orphaned.compactMap { NotificationEnvelope.markRemoved($0.result) }
            }
            messages.append(item.result)
            row.status.counters.delivered += 1
            row.status.lastBlock = item.event.block.number
            if case .logs(let logs) = row.continuity { row.status.completeThrough = logs.completeThrough }
            return (verdict, messages)
        }
        guard let judged else { return true }
        switch judged.verdict {
        case .gap(let range):
            // Once the gap before it is filled, the event follows it like any other.
            var follows = item
            follows.continuous = true
            beginBackfill(range, holding: follows, context: context)
            return false
        case .dropDuplicate:
            failover?.duplicates += 1
        case .deliverReorg(let reorg):
            logger?.log(.warning, "subscription.reorg", [
                "chain": .string(chain), "key": .string(key.kind.rawValue), "number": .int(Int(reorg.fromBlock)),
                "depth": .int(Int(reorg.depth)), "removed_logs": .int(reorg.orphaned.count),
                "unrecoverable_logs": .bool(reorg.incomplete)])
        case .deliver, .dropStale:
            break
        }
        fanOut(judged.messages)
        return true
    }

    /// Sends each result, wrapped once, to every confirmed client under its own id.
    private func fanOut(_ results: [[UInt8]]) {
        guard !results.isEmpty else { return }
        let targets = table.fanOutTargets(key)
        guard !targets.isEmpty else { return }
        // The quoted id of each client, patched in by the event loops.
        let replacements = targets.map { (connection: $0.connection, replacement: $0.quotedID) }
        for result in results {
            let message = NotificationEnvelope.wrap(result: result, subscription: Self.placeholderID)
            guard let idRange = SubscriptionNotification.scan(message)?.range else { continue }
            sockets.broadcast(message, replacing: idRange, for: replacements)
        }
    }

    /// Answers the key's waiting clients with their ids; from now on they get its events.
    private func confirmPending() {
        for pending in table.confirmPending(key) {
            var json = JSONWriter(capacity: 96 + pending.requestID.count)
            json.beginObject()
            json.string("jsonrpc", "2.0")
            json.raw("id", pending.requestID)
            json.string("result", pending.id)
            json.endObject()
            sockets.send(pending.connection, json.finish())
        }
    }

    private mutating func retireIfIdle(context: ServerContext<Self>) {
        guard table.retireIfIdle(key, context.ref) else { return }
        pool?.cast(.unfollow(key: key, coordinator: context.ref.pid))
        context.stop(.normal)
    }

    // MARK: - Failover and backfill

    private mutating func beginFailover(_ reason: FailoverReason, from provider: String?, context: ServerContext<Self>) {
        if failover == nil {
            failover = newRun(reason, from: provider, context: context)
            let last = table.withRow(key) { $0.status.lastBlock } ?? nil
            logger?.log(.warning, "subscription.failover.started", [
                "chain": .string(chain), "key": .string(key.kind.rawValue), "reason": .string(reason.rawValue),
                "from": provider.map(LogValue.string) ?? .null, "last_block": last.map { .int(Int($0)) } ?? .null])
            publish { status in
                status.counters.failovers += 1
                status.lastFailover = StreamStatus.Failover(reason: reason.rawValue, from: provider)
            }
        }
        continuous = false
        if phase != .backfilling { phase = .recovering }
        publish { status in
            status.phase = phase
            status.provider = nil
        }
        // Fetch at once what the chain made since the last delivery, without waiting for a new
        // upstream: the probes' best head says how far it is.
        guard phase != .backfilling, settings.continuity == .gapFilling,
              let first = table.withRow(key, { $0.continuity.firstMissingBlock }) ?? nil,
              let best = board.snapshot.bestKnownHead else { return }
        // A log range ends one block short: the head's own logs may not be indexed everywhere yet.
        let target = key.kind == .logs ? best &- 1 : best
        guard best > 0, first <= target else { return }
        beginBackfill(first...target, holding: nil, context: context)
    }

    /// A new run: the cap and the deadline count from now.
    private mutating func newRun(_ reason: FailoverReason, from provider: String?, context: ServerContext<Self>) -> Failover {
        failovers += 1
        var run = Failover(serial: failovers, reason: reason, from: provider, startedAt: context.runtime.clock.now(),
                           capLeft: settings.maxBackfillBlocks)
        run.deadline = context.sendAfter(.deadline(serial: failovers), after: settings.backfillTimeout)
        return run
    }

    private mutating func beginBackfill(_ range: ClosedRange<UInt64>, holding item: Held?, context: ServerContext<Self>) {
        if let item { held.append(item) }
        if failover == nil {
            // A gap on a live upstream (it skipped blocks, or its first event or header shows
            // what it missed): filled under the same cap and deadline, not counted as a failover.
            failover = newRun(.gap, from: upstream?.provider, context: context)
            logger?.log(.info, "subscription.gap_detected", [
                "chain": .string(chain), "key": .string(key.kind.rawValue), "from": .int(Int(range.lowerBound)),
                "to": .int(Int(range.upperBound)), "provider": upstream.map { .string($0.provider) } ?? .null])
        }
        phase = .backfilling
        publish { $0.phase = .backfilling }
        startRound(range, context: context)
    }

    private mutating func startRound(_ range: ClosedRange<UInt64>, context: ServerContext<Self>) {
        let plan = BackfillPlan(from: range.lowerBound, through: range.upperBound, cap: failover?.capLeft ?? 0)
        if let skipped = plan.skipped { skip(skipped, reason: "cap") }
        guard let fetched = plan.fetched else {
            finishBackfill(context: context)
            return
        }
        failover?.capLeft -= Self.count(fetched)
        round += 1
        roundRange = fetched
        roundRetries = 0
        if key.kind == .logs, settings.continuity == .gapFilling, failover?.anchored == false,
           let complete = table.withRow(key, { $0.status.completeThrough }) ?? nil {
            failover?.anchored = true
            fetchAnchor(through: complete, context: context)
            return
        }
        fetch(fetched, context: context)
    }

    /// Blocks a logs key checks against its new source before fetching logs: a reorg deeper
    /// than this under delivered logs is not retracted (`subscription.reorg` would not show it).
    static let anchorDepth: UInt64 = 8

    /// Fetches the headers of the last delivered blocks from the new source: where their hashes
    /// differ, the logs delivered from there on were orphaned and are retracted first.
    private func fetchAnchor(through complete: UInt64, context: ServerContext<Self>) {
        let me = context.ref
        let round = round
        let source: GapFiller.Source = upstream.map { .pinned($0.provider) } ?? .any
        let range = (complete >= Self.anchorDepth - 1 ? complete - (Self.anchorDepth - 1) : 0)...complete
        filler.headers(range, board: board, from: source) { me.info(.fetched(round: round, $0)) }
    }

    private func fetch(_ range: ClosedRange<UInt64>, context: ServerContext<Self>) {
        let me = context.ref
        let round = round
        let deliver: @Sendable (GapFiller.Fetched) -> Void = { me.info(.fetched(round: round, $0)) }
        let source: GapFiller.Source = upstream.map { .pinned($0.provider) } ?? .any
        switch key.kind {
        case .newHeads: filler.headers(range, board: board, from: source, completion: deliver)
        case .logs: filler.logs(range, filter: key.filter, board: board, from: source, completion: deliver)
        }
    }

    private mutating func filled(_ fetched: GapFiller.Fetched, context: ServerContext<Self>) {
        switch fetched {
        case .headers(_, let results) where key.kind == .logs:
            // The anchor: each header the source has is checked against what was delivered, up to
            // the first that differs — above it nothing of the new branch was delivered, and its
            // headers must not count those blocks complete.
            for result in results {
                guard let result, case .head(let head)? = StreamEvent(result: result, range: result.indices, kind: .newHeads)
                else { continue }
                if observe(head) != nil { break }
            }
            // A reorg found there lowered what is complete: the logs fetch starts below it.
            guard let range = roundRange else { return }
            let complete = table.withRow(key) { $0.status.completeThrough } ?? nil
            let start = min(range.lowerBound, complete.map { $0 &+ 1 } ?? range.lowerBound)
            roundRange = start...range.upperBound
            fetch(start...range.upperBound, context: context)
            return
        case .headers(let range, let results):
            var taken = 0
            for (offset, result) in results.enumerated() {
                guard let result, let header = shape.project(result),
                      let event = StreamEvent(result: header, range: header.indices, kind: .newHeads),
                      event.block.number == range.lowerBound + UInt64(offset)
                else { break }
                taken += 1
                guard consume(Held(event: event, result: header, continuous: true), context: context) else { return }
            }
            record(backfilled: taken, range: range, provider: upstream?.provider)
            guard taken == results.count else {
                // The rest is not there yet: ask again shortly, within the deadline.
                roundRange = (range.lowerBound + UInt64(taken))...range.upperBound
                retryRound(context: context)
                return
            }
        case .logs(let range, let logs, let failure):
            guard let logs else {
                logger?.log(.warning, "subscription.backfill_failed", [
                    "chain": .string(chain), "key": .string(key.kind.rawValue), "from": .int(Int(range.lowerBound)),
                    "to": .int(Int(range.upperBound)), "error": .string(failure ?? "")])
                retryRound(context: context)
                return
            }
            for log in logs {
                guard let event = StreamEvent(result: log, range: log.indices, kind: .logs) else { continue }
                guard consume(Held(event: event, result: log, continuous: true), context: context) else { return }
            }
            // The range's logs are all here now, including blocks that had none — except the
            // block of a held live event: the upstream that sent it has that block, the provider
            // that answered may not have had it yet, and the rest of its logs come live.
            let heldTop = held.contains { $0.event.block.number == range.upperBound }
            let complete = heldTop ? range.upperBound &- 1 : range.upperBound
            _ = table.withRow(key) { row in
                if !heldTop || range.upperBound > 0 { row.continuity.acceptSkip(through: complete) }
                if case .logs(let state) = row.continuity { row.status.completeThrough = state.completeThrough }
            }
            record(backfilled: Self.count(range), range: range, provider: upstream?.provider)
        }
        finishBackfill(context: context)
    }

    /// Asks for the rest of the round again after 100 ms, doubling up to 1.6 s: a new upstream
    /// may be a block behind over HTTP; an outage should not be hammered.
    private mutating func retryRound(context: ServerContext<Self>) {
        let delay = Self.retryDelay * (1 << min(roundRetries, 4))
        roundRetries += 1
        _ = context.sendAfter(.retryRound(round), after: delay)
    }

    /// The backfill round is over: held events are judged in chain order, which may start
    /// another round; when none is left the stream is live again.
    private mutating func finishBackfill(context: ServerContext<Self>) {
        roundRange = nil
        phase = upstream == nil ? .recovering : .live
        publish { $0.phase = phase }
        let pending = held.sorted { Self.order($0.event) < Self.order($1.event) }
        held = []
        for (index, item) in pending.enumerated() where !consume(item, context: context) {
            held.append(contentsOf: pending[(index + 1)...])
            return
        }
        completeFailoverIfLive(context: context)
    }

    private mutating func completeFailoverIfLive(context: ServerContext<Self>) {
        // Over once the new upstream has proved itself with nothing left to fetch: its first header
        // (a logs key's by its liveness feed: a filter may match nothing for a long time).
        let proved = key.kind == .newHeads ? continuous : headSeen
        guard phase == .live, upstream != nil, proved, held.isEmpty, let run = failover else { return }
        run.deadline?.cancel()
        failover = nil
        guard run.reason != .gap else { return }
        let duration = Int(context.runtime.clock.now().milliseconds(since: run.startedAt))
        logger?.log(.info, "subscription.failover.completed", [
            "chain": .string(chain), "key": .string(key.kind.rawValue), "reason": .string(run.reason.rawValue),
            "from": run.from.map(LogValue.string) ?? .null, "to": .string(upstream?.provider ?? ""),
            "duration_ms": .int(duration), "backfilled": .int(run.backfilled), "skipped": .int(run.skipped),
            "duplicates_dropped": .int(run.duplicates)])
        publish { status in
            status.lastFailover?.durationMs = duration
            status.lastFailover?.to = upstream?.provider
        }
    }

    /// Gives up `range`: it will not be delivered, and the stream may jump over it.
    private mutating func skip(_ range: ClosedRange<UInt64>, reason: String) {
        let count = Self.count(range)
        let isGap = failover?.reason == .gap
        failover?.skipped += count
        _ = table.withRow(key) { row in
            row.continuity.acceptSkip(through: range.upperBound)
            row.status.counters.skipped += count
            if !isGap { row.status.lastFailover?.skipped += count }
        }
        logger?.log(.warning, "subscription.gap_skipped", [
            "chain": .string(chain), "key": .string(key.kind.rawValue), "from": .int(Int(range.lowerBound)),
            "to": .int(Int(range.upperBound)), "count": .int(count), "reason": .string(reason)])
    }

    private mutating func record(backfilled count: Int, range: ClosedRange<UInt64>, provider: String?) {
        guard count > 0 else { return }
        failover?.backfilled += count
        let isGap = failover?.reason == .gap
        _ = table.withRow(key) { row in
            row.status.counters.backfilled += count
            if !isGap { row.status.lastFailover?.backfilled += count }
        }
        logger?.log(.info, "subscription.backfill", [
            "chain": .string(chain), "key": .string(key.kind.rawValue), "from": .int(Int(range.lowerBound)),
            "to": .int(Int(range.lowerBound) + count - 1), "count": .int(count),
            "provider": provider.map(LogValue.string) ?? .null])
    }

    // MARK: - Stalls

    private mutating func armStallCheck(context: ServerContext<Self>) {
        guard stallTimer == nil, settings.blockTime > .zero else { return }
        stallTimer = context.sendAfter(.stallCheck, after: settings.blockTime)
    }

    private mutating func checkStall(context: ServerContext<Self>) {
        guard let current = upstream else { return }
        armStallCheck(context: context)
        // A logs key whose provider refused the liveness feed cannot be judged by its headers.
        guard key.kind == .newHeads || hasLiveness else { return }
        let now = context.runtime.clock.now()
        // A header stream is timed by its events; a logs key by its upstream's liveness feed.
        let (silentSince, last) = key.kind == .newHeads
            ? (lastEventAt, table.withRow(key) { $0.status.lastBlock } ?? nil)
            : (lastHeadAt, lastHead)
        guard phase == .live,
              StallRule.isStalled(lastEventAt: silentSince, now: now, blockTime: settings.blockTime,
                                  lastBlock: last, bestKnownHead: board.snapshot.bestKnownHead)
        else { return }
        logger?.log(.warning, "subscription.stalled", [
            "chain": .string(chain), "key": .string(key.kind.rawValue), "provider": .string(current.provider),
            "silent_ms": .int(Int(now.milliseconds(since: silentSince))),
            "best_head": board.snapshot.bestKnownHead.map { .int(Int($0)) } ?? .null,
            "last_block": last.map { .int(Int($0)) } ?? .null])
        // One request per stall: the replacement gets its own 3 block times.
        lastEventAt = now
        lastHeadAt = now
        pool?.cast(.replace(key: key, coordinator: context.ref.pid, generation: current.generation, reason: .stalled))
    }

    // MARK: - Helpers

    private func publish(_ change: (inout StreamStatus) -> Void) {
        _ = table.withRow(key) { change(&$0.status) }
    }

    private static func count(_ range: ClosedRange<UInt64>) -> Int {
        Int(clamping: range.upperBound - range.lowerBound + 1)
    }

    /// Chain order: block number, then log index.
    private static func order(_ event: StreamEvent) -> (UInt64, UInt64) {
        switch event {
        case .head(let head): (head.block.number, 0)
        case .log(let log): (log.block.number, log.logIndex)
        }
    }
}
