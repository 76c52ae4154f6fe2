import LassoTransport
import Supervision
import Synchronization

/// The published state of one chain: what the request hot path reads to select providers and
/// reach them, without sending a message to any process or looking anything up by name.
///
/// The processes that own the facts publish them here when they change — breakers their
/// channel health and their own reference, each `WSConnection` whether its socket is up (with
/// the reference that carries requests over it), the provider pool the heads it probed, the
/// benchmark store the measured performance — and every publication replaces one immutable
/// `ChainState`. Readers take the current state under a lock held for a pointer copy, so
/// selection never waits on a mailbox. This is the Swift counterpart of the seed's ETS tables.
///
/// One source of truth for "this WebSocket channel is up": the connection published here. A
/// `ws` channel is a selection candidate and has a route exactly while it is; the chain's
/// `TransportRegistry` only watches the connections so that one that dies without a word is
/// withdrawn.
public final class ChainStateBoard: Sendable {
    private struct State {
        /// In snapshot order (priority, then id), so provider `i` owns slots `2i` (HTTP) and
        /// `2i + 1` (WebSocket). As published, except `ws`, set from `wsHealth` while connected.
        var providers: [ProviderSnapshot]
        var wsHealth: [ChannelHealth?]
        /// Per provider, its connected upstream WebSocket.
        var webSockets: [(any UpstreamWebSocket)?]
        /// Per slot, the channel's breaker.
        var breakers: [ServerRef<CircuitBreaker>?]
        /// Per provider, its parsed HTTP URL.
        let httpURLs: [UpstreamURL?]
        let channels: [Channel]
        var performance: [String: [Channel: ChannelPerformance]] = [:]
        /// Per provider, the methods outside `KnownMethods` it is known not to support, oldest
        /// first (each also in its snapshot's `unsupportedMethods`).
        var unknownUnsupported: [String: [String]] = [:]
        /// The `TransportRegistry` watching the connections, if one runs.
        var keeper: ServerRef<TransportRegistry>?
        var current: ChainState
        let lagThresholdBlocks: UInt64

        init(providers: [ProviderSnapshot], httpURLs: [UpstreamURL?], lagThresholdBlocks: UInt64) {
            self.providers = providers
            self.httpURLs = httpURLs
            self.lagThresholdBlocks = lagThresholdBlocks
            wsHealth = Array(repeating: nil, count: providers.count)
            webSockets = Array(repeating: nil, count: providers.count)
            breakers = Array(repeating: nil, count: providers.count * 2)
            channels = providers.flatMap { [Channel(providerID: $0.id, transport: .http), Channel(providerID: $0.id, transport: .ws)] }
            current = ChainState(snapshot: ChainSnapshot(providers: providers, lagThresholdBlocks: lagThresholdBlocks),
                                 links: [], channels: channels)
            rebuild()
        }

        func index(of provider: String) -> Int? {
            providers.firstIndex { $0.id == provider }
        }

        mutating func rebuild() {
            var links: [ChannelLink] = []
            links.reserveCapacity(providers.count * 2)
            for index in providers.indices {
                providers[index].ws = webSockets[index] == nil ? nil : (wsHealth[index] ?? .healthy)
                links.append(ChannelLink(route: httpURLs[index].map(UpstreamRoute.http), breaker: breakers[index * 2]))
                links.append(ChannelLink(route: webSockets[index].map(UpstreamRoute.webSocket), breaker: breakers[index * 2 + 1]))
            }
            current = ChainState(snapshot: ChainSnapshot(providers: providers, lagThresholdBlocks: lagThresholdBlocks,
                                                         performance: performance),
                                 links: links, channels: channels)
        }
    }

    /// The configuration the chain runs with (the one its supervisor was started from).
    public let chain: ChainConfig
    private let state: Mutex<State>
    private let roundRobin = Atomic<UInt64>(0)

    /// A board for `chain` with every HTTP channel closed and routed to its parsed URL, no
    /// WebSocket channel until its connection reports in, and nothing measured yet.
    public init(chain: ChainConfig) {
        self.chain = chain
        let providers = ChainSnapshot.ordered(chain.providers.map { provider in
            ProviderSnapshot(id: provider.id, priority: provider.priority, isPublic: provider.tier == .public,
                             http: .healthy, ws: nil)
        })
        // Parsed once per chain start: an attempt never parses (or looks up) its provider's URL.
        let urls = providers.map { snapshot in chain.provider(id: snapshot.id).flatMap { UpstreamURL($0.url) } }
        state = Mutex(State(providers: providers, httpURLs: urls,
                            lagThresholdBlocks: UInt64(max(0, chain.monitoring.lagThresholdBlocks))))
    }

    /// The current state: selection's snapshot and what each channel's attempt needs.
    public var current: ChainState { state.withLock { $0.current } }

    /// The current snapshot, for `Selection`.
    public var snapshot: ChainSnapshot { current.snapshot }

    /// The next value of the chain's round-robin counter, for `Selection`.
    public func nextRoundRobin() -> UInt64 {
        roundRobin.add(1, ordering: .relaxed).oldValue
    }

    /// Publishes a breaker's view of one channel. Ignored for unknown providers.
    public func publish(health: ChannelHealth, provider: String, transport: TransportKind) {
        state.withLock { state in
            guard let index = state.index(of: provider) else { return }
            switch transport {
            case .http:
                guard state.providers[index].http != health else { return }
                state.providers[index].http = health
            case .ws:
                guard state.wsHealth[index] != health else { return }
                state.wsHealth[index] = health
            }
            state.rebuild()
        }
    }

    /// Publishes the running breaker of one channel: a breaker does this when it starts, so
    /// attempts reach the current incarnation without a lookup. Ignored for unknown providers.
    public func publish(breaker: ServerRef<CircuitBreaker>, provider: String, transport: TransportKind) {
        state.withLock { state in
            guard let index = state.index(of: provider) else { return }
            let slot = ChainSnapshot.slot(provider: index, transport: transport)
            guard state.breakers[slot] != breaker else { return }
            state.breakers[slot] = breaker
            state.rebuild()
        }
    }

    /// Publishes that `provider`'s upstream WebSocket is up and carries requests through
    /// `connection`: its `ws` channel becomes a candidate. The watching `TransportRegistry`, if
    /// one runs, is told to watch it. Ignored for unknown providers.
    public func publish(webSocket connection: any UpstreamWebSocket, provider: String) {
        let keeper = state.withLock { state -> ServerRef<TransportRegistry>? in
            guard let index = state.index(of: provider) else { return nil }
            state.webSockets[index] = connection
            state.rebuild()
            return state.keeper
        }
        if let process = connection.carrier { keeper?.cast(.watch(provider: provider, process: process)) }
    }

    /// Withdraws `provider`'s WebSocket channel if it is still the one `process` published (a
    /// newer connection's report is left alone); `nil` withdraws whatever is there.
    public func withdrawWebSocket(provider: String, ifPublishedBy process: PID? = nil) {
        state.withLock { state in
            guard let index = state.index(of: provider), let published = state.webSockets[index] else { return }
            if let process, published.carrier?.pid != process { return }
            state.webSockets[index] = nil
            state.rebuild()
        }
    }

    /// Makes `keeper` the registry watching the connections; returns the connections published
    /// so far, which it must watch too.
    func adopt(keeper: ServerRef<TransportRegistry>) -> [(provider: String, process: ProcessRef)] {
        state.withLock { state in
            state.keeper = keeper
            return state.providers.indices.compactMap { index in
                state.webSockets[index]?.carrier.map { (state.providers[index].id, $0) }
            }
        }
    }

    /// Forgets `keeper`, if it is still the one watching.
    func release(keeper: ServerRef<TransportRegistry>) {
        state.withLock { state in
            if state.keeper == keeper { state.keeper = nil }
        }
    }

    /// Publishes the latest block a provider reported.
    public func publish(head: UInt64?, provider: String) {
        state.withLock { state in
            guard let index = state.index(of: provider), state.providers[index].headBlock != head else { return }
            state.providers[index].headBlock = head
            state.rebuild()
        }
    }

    /// At most this many methods outside `KnownMethods` are remembered as unsupported per
    /// provider; the oldest is forgotten to make room for a new one.
    public static let maxUnknownUnsupportedMethods = 32
    /// Names longer than this (in UTF-8 bytes) outside `KnownMethods` are not remembered at all.
    public static let maxUnknownMethodBytes = 64

    /// Records that a provider answered "method not found" for `method`, so selection skips it.
    ///
    /// One client must not be able to fill this and so stop lassod from learning what it
    /// should. A method of `KnownMethods` is always remembered (no client can add to that list,
    /// so it bounds them); any other name, if at most `maxUnknownMethodBytes` long, goes into a
    /// per-provider set of `maxUnknownUnsupportedMethods` that forgets its oldest entry first.
    /// Made-up names then push out only other made-up names, and a real but unlisted method
    /// pushed out is learned again by the next request that meets the refusal.
    public func publish(unsupportedMethod method: String, provider: String) {
        let known = KnownMethods.contains(method)
        guard known || method.utf8.count <= Self.maxUnknownMethodBytes else { return }
        state.withLock { state in
            guard let index = state.index(of: provider),
                  !state.providers[index].unsupportedMethods.contains(method) else { return }
            if !known {
                var remembered = state.unknownUnsupported[provider, default: []]
                if remembered.count >= Self.maxUnknownUnsupportedMethods {
                    state.providers[index].unsupportedMethods.remove(remembered.removeFirst())
                }
                remembered.append(method)
                state.unknownUnsupported[provider] = remembered
            }
            state.providers[index].unsupportedMethods.insert(method)
            state.rebuild()
        }
    }

    /// Replaces the measured performance table (from the benchmark store).
    public func publish(performance: [String: [Channel: ChannelPerformance]]) {
        state.withLock { state in
            state.performance = performance
            state.rebuild()
        }
    }
}
