import Supervision

/// The supervised process that pushes the dashboard's state to its pages (the tree shows it as
/// `DashboardPublisher`).
///
/// Woken by `DashboardHub.signal()` when something changes (a request finished, a breaker
/// moved, a process restarted, a page opened) and every second while pages are open (lags and
/// uptimes move on their own). `DashboardThrottle` spaces pushes at least 100 ms apart: a change
/// after a quiet spell is pushed at once, one during a busy spell joins the next push, so every
/// page gets at most ten pushes a second and a change waits at most one interval. One gather
/// serves every page: the same bytes go to each.
///
/// It subscribes to every configured chain's `PubSub` topic for breaker transitions; the
/// subscriptions belong to this process and go with it, and each incarnation makes its own.
/// While pages are open it looks at the chains' `SubscriptionTable`s every 100 ms
/// (`DashboardFailoverWatch`) and puts each subscription failover that started or completed
/// into the feed, with a push.
public struct DashboardPublisher: GenServer {
    public enum Cast: Sendable {
        /// Something the pages show changed.
        case changed
    }

    public enum Info: Sendable {
        /// The throttle's wait is over.
        case push
        /// A second passed.
        case heartbeat
        /// Time to look for subscription failovers.
        case watchSubscriptions
    }

    /// How often pages get a push with no change.
    static let heartbeat = Duration.seconds(1)
    /// How often the tree is sent even when no process changed (its uptimes).
    static let treeRefreshNanos: UInt64 = 1_000_000_000
    /// How often the subscription tables are looked at for failovers (while pages are open).
    static let failoverWatchInterval = Duration.milliseconds(100)
    /// How often the 24 h history is sent again (it changes once an hour).
    static let historyRefreshNanos: UInt64 = 60_000_000_000

    let hub: DashboardHub
    let pubsub: PubSub
    private var throttle: DashboardThrottle
    private var scheduled = false
    private var seq = 0
    private var lastTreeNanos: UInt64 = 0
    private var lastHistoryNanos: UInt64?
    private var subscribed: Set<String> = []
    private var observer: UInt64?
    private var failoverWatch = DashboardFailoverWatch()

    init(hub: DashboardHub, pubsub: PubSub, throttle: DashboardThrottle) {
        self.hub = hub
        self.pubsub = pubsub
        self.throttle = throttle
    }

    /// The permanent worker `DashboardPublisher`, registered in `names` for the hub to wake.
    public static func childSpec(hub: DashboardHub, pubsub: PubSub, names: ProcessNames,
                                 throttle: DashboardThrottle = DashboardThrottle()) -> ChildSpec {
        ChildSpec(id: DashboardHub.publisherName, name: names.name(DashboardHub.publisherName)) { runtime in
            try await ServerRef.start(label: DashboardHub.publisherName, runtime: runtime) {
                DashboardPublisher(hub: hub, pubsub: pubsub, throttle: throttle)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        let hub = self.hub
        observer = context.runtime.events.observe { _ in hub.supervisionChanged() }
        subscribeToChains(context: context)
        context.sendAfter(.heartbeat, after: Self.heartbeat)
        context.sendAfter(.watchSubscriptions, after: Self.failoverWatchInterval)
        // Pages may already be open (this is a restart): they get a push straight away.
        if hub.openPages > 0 { await request(context: context) }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        await request(context: context)
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .push:
            scheduled = false
            await push(context: context)
        case .heartbeat:
            subscribeToChains(context: context)
            if hub.openPages > 0 { await request(context: context) }
            context.sendAfter(.heartbeat, after: Self.heartbeat)
        case .watchSubscriptions:
            watchSubscriptions()
            context.sendAfter(.watchSubscriptions, after: Self.failoverWatchInterval)
        }
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        if let observer { context.runtime.events.removeObserver(observer) }
    }

    /// Pushes now if the throttle allows, otherwise once it does (one timer at a time).
    private mutating func request(context: ServerContext<Self>) async {
        guard !scheduled else { return }
        let delay = throttle.delay(nowNanos: context.runtime.clock.now().nanoseconds)
        if delay == 0 {
            await push(context: context)
        } else {
            scheduled = true
            context.sendAfter(.push, after: .nanoseconds(Int64(clamping: delay)))
        }
    }

    private mutating func push(context: ServerContext<Self>) async {
        let now = context.runtime.clock.now().nanoseconds
        throttle.pushed(atNanos: now)
        hub.clearSignal()
        guard hub.openPages > 0 else { return }
        let treeDue = now &- lastTreeNanos >= Self.treeRefreshNanos
        let includeTree = hub.takeTreeChanged() || treeDue
        if includeTree { lastTreeNanos = now }
        seq += 1
        hub.broadcast(await DashboardState.render(hub: hub, seq: seq, monoNanos: now, includeTree: includeTree))
        let historyDue = lastHistoryNanos.map { now &- $0 >= Self.historyRefreshNanos } ?? true
        if hub.takeHistoryWanted() || historyDue, let persistence = hub.names.benchmarkPersistence,
           let points = try? await persistence.call(BenchmarkPersistence.historyCall, timeout: DashboardState.callTimeout) {
            lastHistoryNanos = now
            hub.broadcastHistory(DashboardState.history(points, chains: hub.configs.config.chains.map(\.key)))
        }
    }

    /// Puts the failovers since the last look into the feed and wakes a push for them; with
    /// no page open it only forgets, so that a page that opens sees failovers from then on.
    private mutating func watchSubscriptions() {
        guard hub.openPages > 0 else {
            failoverWatch.reset()
            return
        }
        let now = RFC3339Timestamp.nowUnixMillis()
        var entries: [[UInt8]] = []
        for chain in hub.configs.config.chains {
            entries += failoverWatch.look(chain: chain.key, statuses: hub.subscriptions.existing(chain.key)?.statuses() ?? [],
                                          logger: hub.logger, unixMillis: now)
        }
        guard !entries.isEmpty else { return }
        hub.feed.post(entries)
        hub.signal()
    }

    /// Subscribes to the topic of every configured chain not subscribed yet (chains come and go
    /// with reloads; a topic outlives its chain's restarts).
    private mutating func subscribeToChains(context: ServerContext<Self>) {
        let hub = self.hub
        for chain in hub.configs.config.chains where !subscribed.contains(chain.key) {
            do {
                try pubsub.subscribe(PubSub.topic(chain: chain.key), process: context.ref.process) { message in
                    hub.heard(message)
                }
                subscribed.insert(chain.key)
            } catch {
                // Tried again at the next heartbeat.
            }
        }
    }
}
