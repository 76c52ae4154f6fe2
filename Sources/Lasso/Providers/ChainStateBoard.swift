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
        var providers: [ProviderSnapshot]
        var performance: [String: [Channel: ChannelPerformance]] = [:]
        var snapshot: ChainSnapshot
        let lagThresholdBlocks: UInt64

        mutating func rebuild() {
            snapshot = ChainSnapshot(providers: providers, lagThresholdBlocks: lagThresholdBlocks,
                                     performance: performance)
        }
    }

    private let state: Mutex<State>
    private let roundRobin = Atomic<UInt64>(0)

    /// A board for `chain` with every channel closed and nothing measured yet.
    public init(chain: ChainConfig) {
        let providers = chain.providers.map { provider in
            ProviderSnapshot(id: provider.id, priority: provider.priority, isPublic: provider.tier == .public,
                             http: .healthy, ws: provider.wsURL == nil ? nil : .healthy)
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

    /// Publishes a breaker's view of one channel. Ignored for unknown providers and for a
    /// `ws` channel the provider does not have.
    public func publish(health: ChannelHealth, provider: String, transport: TransportKind) {
        update(provider) { snapshot in
            switch transport {
            case .http: snapshot.http = health
            case .ws: if snapshot.ws != nil { snapshot.ws = health }
            }
        }
    }

    /// Publishes the latest block a provider reported.
    public func publish(head: UInt64?, provider: String) {
        update(provider) { $0.headBlock = head }
    }

    /// Records that a provider answered "method not found" for `method`, so selection skips it.
    public func publish(unsupportedMethod method: String, provider: String) {
        update(provider) { $0.unsupportedMethods.insert(method) }
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
