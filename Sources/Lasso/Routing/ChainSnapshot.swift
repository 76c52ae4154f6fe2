/// Everything `Selection` reads for one chain, built off the hot path whenever a provider's
/// state changes and published as an immutable value (the role ETS tables play in the seed).
///
/// The initializer does the work once so that every request does not: it orders providers by
/// (priority, id) — the deterministic tie-break of every strategy — computes the best known
/// head, and lays `fastest`'s measurements out per method in that order.
public struct ChainSnapshot: Equatable, Sendable {
    /// The providers, ordered by priority then id.
    public let providers: [ProviderSnapshot]
    /// Providers more than this many blocks behind `bestKnownHead` are skipped
    /// (`monitoring.lag_threshold_blocks`).
    public let lagThresholdBlocks: UInt64
    /// The highest head reported by any provider or passed in; `nil` when none is known.
    public let bestKnownHead: UInt64?
    /// The `fastest` strategy's weights.
    public let scoring: FastestScoring
    /// Per method, each channel's performance at index `2 × providerIndex + transportIndex`.
    let performance: [String: [ChannelPerformance]]

    /// A snapshot of `providers`.
    /// - Parameters:
    ///   - lagThresholdBlocks: see `lagThresholdBlocks` (config default 3).
    ///   - bestKnownHead: a head seen elsewhere (a subscription, say); the snapshot uses the
    ///     higher of it and every provider's `headBlock`.
    ///   - performance: per method, per channel, what `BenchmarkStore` measured; channels left
    ///     out are unmeasured.
    public init(
        providers: [ProviderSnapshot],
        lagThresholdBlocks: UInt64 = 3,
        bestKnownHead: UInt64? = nil,
        performance: [String: [Channel: ChannelPerformance]] = [:],
        scoring: FastestScoring = FastestScoring()
    ) {
        let ordered = Self.ordered(providers)
        self.providers = ordered
        self.lagThresholdBlocks = lagThresholdBlocks
        self.bestKnownHead = ordered.reduce(bestKnownHead) { best, provider in
            guard let head = provider.headBlock else { return best }
            return max(best ?? head, head)
        }
        self.scoring = scoring
        var slots: [String: Int] = [:]
        for (index, provider) in ordered.enumerated() { slots[provider.id] = index }
        var table: [String: [ChannelPerformance]] = [:]
        for (method, byChannel) in performance {
            var row = [ChannelPerformance](repeating: .unmeasured, count: ordered.count * 2)
            for (channel, measured) in byChannel {
                guard let index = slots[channel.providerID] else { continue }
                row[Self.slot(provider: index, transport: channel.transport)] = measured
            }
            table[method] = row
        }
        self.performance = table
    }

    /// What `fastest` knows about `channel` for `method`.
    public func performance(of channel: Channel, method: String) -> ChannelPerformance {
        guard let row = performance[method],
              let index = providers.firstIndex(where: { $0.id == channel.providerID })
        else { return .unmeasured }
        return row[Self.slot(provider: index, transport: channel.transport)]
    }

    /// `providers` in snapshot order: by priority, then id. Ids are unique within a chain, so
    /// the order is total, and whoever lays out per-channel data by slot (the chain's board)
    /// gets the same positions as the snapshot built from it.
    static func ordered(_ providers: [ProviderSnapshot]) -> [ProviderSnapshot] {
        providers.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
    }

    /// Where a channel's per-channel data sits: `2 × provider index + transport index` (HTTP
    /// first), in the order of `providers`.
    @inline(__always)
    static func slot(provider index: Int, transport: TransportKind) -> Int {
        index &* 2 &+ (transport == .http ? 0 : 1)
    }

    /// The channel at `slot` (one of `Selection.orderedSlots`), by name.
    public func channel(atSlot slot: Int) -> Channel {
        Channel(providerID: providers[slot >> 1].id, transport: Self.transport(ofSlot: slot))
    }

    /// The transport of the channel at `slot`.
    @inline(__always)
    static func transport(ofSlot slot: Int) -> TransportKind {
        slot & 1 == 0 ? .http : .ws
    }
}
