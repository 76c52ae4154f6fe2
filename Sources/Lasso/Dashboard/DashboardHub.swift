import Synchronization
import Supervision
import LassoTransport

/// The dashboard's shared table: the pages open on `WS /ws/dashboard`, what the hot path hands
/// them (the sampled feed, breaker transitions), and the signal that wakes the
/// `DashboardPublisher` process, which gathers the state and pushes it.
///
/// Like the other tables (`ClientSockets`, `ChainDirectory`) it is created by the application
/// and outlives every incarnation of the process, so a restart of the publisher loses no page.
///
/// Cost when nobody watches: a request's completion reads one atomic and returns. With pages
/// open it takes the feed's lock, and the first change after a push sends one cast to the
/// publisher (an atomic flag keeps it to one per push).
public final class DashboardHub: RequestObserver, Sendable {
    /// The WebSocket path pages connect to.
    public static let webSocketPath = "/ws/dashboard"
    /// The name the publisher registers under in `ProcessNames`.
    static let publisherName = "DashboardPublisher"

    let configs: CurrentConfig
    let names: ProcessNames
    let sockets: ClientSockets
    let counters: RequestCounters
    /// Every chain's client subscriptions and stream state, read directly (no process asked).
    let subscriptions: SubscriptionTables
    let logger: Logger
    let feed: DashboardFeed
    let transitions: DashboardTransitions

    private let pages = Mutex<Set<WebSocketConnectionID>>([])
    private let pageCount = Atomic<Int>(0)
    private let signalled = Atomic<Bool>(false)
    private let treeChanged = Atomic<Bool>(true)
    private let control = Mutex<(any AdminControl)?>(nil)
    private let simulator = Mutex<(any DashboardSimulator)?>(nil)
    /// The last state pushed, sent to a page when it opens so it has something to show at once.
    private let lastState = Mutex<[UInt8]?>(nil)
    /// The last history message (`DashboardState.history`), sent to a page when it opens.
    private let lastHistory = Mutex<[UInt8]?>(nil)
    private let historyWanted = Atomic<Bool>(true)

    public init(configs: CurrentConfig, names: ProcessNames, sockets: ClientSockets, counters: RequestCounters,
                subscriptions: SubscriptionTables, logger: Logger, feed: DashboardFeed = DashboardFeed(),
                transitions: DashboardTransitions = DashboardTransitions()) {
        self.configs = configs
        self.names = names
        self.sockets = sockets
        self.counters = counters
        self.subscriptions = subscriptions
        self.logger = logger
        self.feed = feed
        self.transitions = transitions
    }

    // MARK: - The control the state is read through

    /// Sets the admin control the state is read through (`tree`, `status`): the same code
    /// paths as `lassod ctl`. Until then pages see only metrics and the feed.
    public func attach(control: any AdminControl) {
        self.control.withLock { $0 = control }
        signal()
    }

    /// Drops the control (the application is stopping; the control refers back to it).
    public func detach() {
        control.withLock { $0 = nil }
        simulator.withLock { $0 = nil }
    }

    var currentControl: (any AdminControl)? { control.withLock { $0 } }

    /// Lets the page switch simulated providers' behavior (`lassod demo` only).
    public func attach(simulator: any DashboardSimulator) {
        self.simulator.withLock { $0 = simulator }
        signal()
    }

    var currentSimulator: (any DashboardSimulator)? { simulator.withLock { $0 } }

    // MARK: - Pages

    /// Pages open now.
    public var openPages: Int { pageCount.load(ordering: .relaxed) }

    /// The listener's WebSocket handlers: `/ws/dashboard` is served here, every other path by
    /// `other` (the client JSON-RPC WebSockets).
    public func handlers(other: WebSocketServerHandlers?) -> WebSocketServerHandlers {
        WebSocketServerHandlers(
            onOpen: { [self] connection, request in
                if request.path == Self.webSocketPath {
                    opened(connection)
                } else {
                    other?.onOpen(connection, request)
                }
            },
            onMessage: { [self] connection, message in
                // A page only listens; what it sends is ignored.
                guard !isPage(connection) else { return }
                other?.onMessage(connection, message)
            },
            onClose: { [self] connection, code in
                if !closed(connection) { other?.onClose(connection, code) }
            })
    }

    private func isPage(_ connection: WebSocketConnectionID) -> Bool {
        pages.withLock { $0.contains(connection) }
    }

    private func opened(_ connection: WebSocketConnectionID) {
        pages.withLock { _ = $0.insert(connection) }
        pageCount.add(1, ordering: .relaxed)
        if let state = lastState.withLock({ $0 }) { sockets.send(connection, state) }
        let recent = feed.recent
        if !recent.isEmpty { sockets.send(connection, DashboardState.recentFeed(recent)) }
        if let history = lastHistory.withLock({ $0 }) {
            sockets.send(connection, history)
        } else {
            historyWanted.store(true, ordering: .relaxed)
        }
        treeChanged.store(true, ordering: .relaxed)
        signal()
    }

    /// Forgets `connection` if it was a page; returns whether it was.
    private func closed(_ connection: WebSocketConnectionID) -> Bool {
        let removed = pages.withLock { $0.remove(connection) != nil }
        if removed { pageCount.subtract(1, ordering: .relaxed) }
        return removed
    }

    /// Closes every page (1001): the listener is stopping.
    public func closePages() {
        let open = pages.withLock { Array($0) }
        for page in open { sockets.close(page, code: .goingAway) }
    }

    /// Sends `state` to every open page and keeps it for pages that open later.
    func broadcast(_ state: [UInt8]) {
        lastState.withLock { $0 = state }
        let open = pages.withLock { Array($0) }
        for page in open { sockets.send(page, state) }
    }

    /// Sends the 24 h history to every open page and keeps it for pages that open later.
    func broadcastHistory(_ history: [UInt8]) {
        lastHistory.withLock { $0 = history }
        let open = pages.withLock { Array($0) }
        for page in open { sockets.send(page, history) }
    }

    /// Whether a page is waiting for a history message that was never sent.
    func takeHistoryWanted() -> Bool {
        historyWanted.exchange(false, ordering: .relaxed)
    }

    // MARK: - Signals

    /// Something the pages show changed: wakes the publisher, once per push, when pages are open.
    public func signal() {
        guard pageCount.load(ordering: .relaxed) > 0 else { return }
        guard !signalled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        names.server(Self.publisherName, as: DashboardPublisher.self)?.cast(.changed)
    }

    /// The publisher starts a push: changes from now on need another.
    func clearSignal() {
        signalled.store(false, ordering: .releasing)
    }

    /// A process started, exited or restarted: the next push carries the tree.
    func supervisionChanged() {
        treeChanged.store(true, ordering: .relaxed)
        signal()
    }

    /// Whether the tree changed since the last call.
    func takeTreeChanged() -> Bool {
        treeChanged.exchange(false, ordering: .relaxed)
    }

    /// A breaker transition or availability change heard on a chain's topic.
    func heard(_ message: PubSub.Message) {
        transitions.record(message, atUnixMillis: RFC3339Timestamp.nowUnixMillis())
        signal()
    }

    // MARK: - RequestObserver

    public func requestCompleted(_ context: RequestContext) {
        guard pageCount.load(ordering: .relaxed) > 0 else { return }
        let logger = self.logger
        feed.offer {
            RequestLogLine.render(context, config: logger.config, scrubber: logger.scrubber,
                                  unixMillis: RFC3339Timestamp.nowUnixMillis(), region: logger.region)
        }
        signal()
    }
}
