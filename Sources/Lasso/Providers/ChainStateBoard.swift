import Synchronization

/// The published state of one chain: what the request hot path reads to select providers,
/// without sending a message to any process.
///
/// The processes that own the facts publish them here when they change — breakers their
/// channel health, the provider pool the heads it probed, the benchmark store the measured
/// performance — and every publication replaces one immutable `ChainSnapshot`. Readers take the
/// current snapshot under a lock held for a pointer copy, so selection never waits on a
/// mailbox. This is the Swift counterpart of the seed's ETS tables.
public final class ChainStateBoard: Sendable {
    private struct State {
        /// As published, except `ws`, which is set from `wsHealth` only while connected.
        var providers: [ProviderSnapshot]
        var wsHealth: [String: ChannelHealth] = [:]
        var wsConnected: Set<String> = []
        var performance: [String: [Channel: ChannelPerformance]] = [:]
        /// Per provider, the methods outside `KnownMethods` it is known not to support, oldest
        /// first (each also in its snapshot's `unsupportedMethods`).
        var unknownUnsupported: [String: [String]] = [:]
        var snapshot: ChainSnapshot
        let lagThresholdBlocks: UInt64

        mutating func rebuild() {
            for index in providers.indices {
                let id = providers[index].id
                providers[index].ws = wsConnected.contains(id) ? (wsHealth[id] ?? .healthy) : nil
            }
            snapshot = ChainSnapshot(providers: providers, lagThresholdBlocks: lagThresholdBlocks,
                                     performance: performance)
        }
    }

    private let state: Mutex<State>
    private let roundRobin = Atomic<UInt64>(0)

    /// A board for `chain` with every HTTP channel closed, no WebSocket channel until its
    /// connection reports in, and nothing measured yet.
    public init(chain: ChainConfig) {
        let providers = chain.providers.map { provider in
            ProviderSnapshot(id: provider.id, priority: provider.priority, isPublic: provider.tier == .public,
                             http: .healthy, ws: nil)
        }
        let lag = UInt64(max(0, chain.monitoring.lagThresholdBlocks))
        state = Mutex(State(providers: providers,
                            snapshot: ChainSnapshot(providers: providers, lagThresholdBlocks: lag),
                            lagThresholdBlocks: lag))
    }

    /// The current snapshot, for `Selection`.
    public var snapshot: ChainSnapshot { state.withLock { $0.snapshot } }

    /// The next value of the chain's round-robin counter, for `Selection`.
    public func nextRoundRobin() -> UInt64 {
        roundRobin.add(1, ordering: .relaxed).oldValue
    }

    /// Publishes a breaker's view of one channel. Ignored for unknown providers.
    public func publish(health: ChannelHealth, provider: String, transport: TransportKind) {
        switch transport {
        case .http:
            update(provider) { $0.http = health }
        case .ws:
            state.withLock { state in
                guard state.providers.contains(where: { $0.id == provider }), state.wsHealth[provider] != health else { return }
                state.wsHealth[provider] = health
                state.rebuild()
            }
        }
    }

    /// Publishes whether a provider's WebSocket connection is up: its `ws` channel is a
    /// candidate only while it is.
    public func publish(webSocketConnected connected: Bool, provider: String) {
        state.withLock { state in
            guard state.providers.contains(where: { $0.id == provider }) else { return }
            let changed = connected ? state.wsConnected.insert(provider).inserted : state.wsConnected.remove(provider) != nil
            if changed { state.rebuild() }
        }
    }

    /// Publishes the latest block a provider reported.
    public func publish(head: UInt64?, provider: String) {
        update(provider) { $0.headBlock = head }
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
        if KnownMethods.contains(method) {
            update(provider) { $0.unsupportedMethods.insert(method) }
            return
        }
        guard method.utf8.count <= Self.maxUnknownMethodBytes else { return }
        state.withLock { state in
            guard let index = state.providers.firstIndex(where: { $0.id == provider }),
                  !state.providers[index].unsupportedMethods.contains(method) else { return }
            var remembered = state.unknownUnsupported[provider, default: []]
            if remembered.count >= Self.maxUnknownUnsupportedMethods {
                state.providers[index].unsupportedMethods.remove(remembered.removeFirst())
            }
            remembered.append(method)
            state.unknownUnsupported[provider] = remembered
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

    private func update(_ provider: String, _ change: (inout ProviderSnapshot) -> Void) {
        state.withLock { state in
            guard let index = state.providers.firstIndex(where: { $0.id == provider }) else { return }
            let before = state.providers[index]
            change(&state.providers[index])
            if state.providers[index] != before { state.rebuild() }
        }
    }
}
