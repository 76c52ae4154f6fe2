import Supervision

/// Orders a chain's candidate channels for one request. Pure: it reads a `ChainSnapshot` and
/// the caller's clock and counter, and runs on the hot path for every request.
///
/// Rules, in the order they apply:
/// 1. **Eligibility.** A channel is dropped when its breaker is open or forced open, when its
///    provider asked us to back off (rate-limit cooldown), when its provider is known not to
///    support the method, or when `transport` restricts it. A provider without `ws_url` has no
///    WebSocket channel to begin with.
/// 2. **Tiers.** Healthy channels first, then half-open ones (they admit one trial at a time,
///    so they are tried only when everything healthy has failed), then lagging ones.
/// 3. **Lag.** A provider more than `lagThresholdBlocks` behind the best known head is skipped —
///    unless every other eligible channel is gone, in which case the lagging ones are returned
///    as a last resort: a slightly stale answer is better than failing the request, and the
///    pipeline still prefers any fresh provider the moment one recovers. A provider whose head
///    is unknown is not treated as lagging.
/// 4. **Strategy**, within each tier:
///    - `priority`: by configured priority.
///    - `cheapest`: `type: public` providers first, then by priority.
///    - `roundRobin`: healthy providers rotate by `roundRobinCounter`; the others keep priority
///      order.
///    - `fastest`: by `FastestScoring.cost` of the channel's measurements for this method.
/// 5. **Tie-break**, always: priority, then provider id, then HTTP before WebSocket (HTTP keeps
///    the WebSocket connection free for subscriptions).
/// 6. **Last resort** (`lastResort: true`, asked by the pipeline only when the ordinary call
///    returned nothing): the channels whose breaker is `open` instead, by the same rules 3–5.
///    A request that would otherwise certainly fail gets a chance: after a burst of faults
///    every breaker may be open for its whole recovery timeout though the providers are back.
///    A breaker an operator forced open, a rate-limit cooldown and an unsupported method still
///    exclude a channel.
///
/// Example: providers a (priority 1, breaker open), b (priority 2, half-open), c (priority 3),
/// with `priority` → the slots of `[c/http, b/http]`.
public enum Selection {
    /// The channels to try for `method` on `chain`, best first, as channel slots of `chain`
    /// (`ChainSnapshot.slot(provider:transport:)`): the request pipeline finds each candidate's
    /// published state by slot without searching for it; `ChainSnapshot.channel(atSlot:)` names
    /// the channel. Empty when nothing is eligible.
    ///
    /// - Parameters:
    ///   - roundRobinCounter: the caller's per-chain request counter; `roundRobin` starts its
    ///     rotation at `counter mod (healthy providers)`. Other strategies ignore it.
    ///   - transport: only channels of this transport (subscriptions need `.ws`); `nil` for any.
    ///   - lastResort: order the channels whose breaker is `open` instead of the eligible ones
    ///     (rule 6).
    public static func orderedSlots(
        _ chain: ChainSnapshot,
        method: String,
        strategy: SelectionStrategy,
        now: RuntimeInstant,
        roundRobinCounter: UInt64 = 0,
        transport: TransportKind? = nil,
        lastResort: Bool = false
    ) -> [Int] {
        // The eligible channels are ordered in a stack buffer; only the result is allocated.
        let providers = chain.providers
        let capacity = providers.count * 2
        if capacity == 0 { return [] }
        return withUnsafeTemporaryAllocation(of: Candidate.self, capacity: capacity) { buffer in
            var count = 0
            var freshCount = 0
            var healthyProviders = 0
            var lagFloor: UInt64 = 0
            if let best = chain.bestKnownHead, best > chain.lagThresholdBlocks {
                lagFloor = best - chain.lagThresholdBlocks
            }

            for index in providers.indices {
                let provider = providers[index]
                if !provider.unsupportedMethods.isEmpty, provider.unsupportedMethods.contains(method) { continue }
                let lagging = provider.headBlock.map { $0 < lagFloor } ?? false
                var contributedHealthy = false
                for kind in TransportKind.allCases {
                    if let transport, transport != kind { continue }
                    guard let health = provider.health(of: kind),
                          lastResort ? health.phase == .open : health.phase.admitsTraffic,
                          !health.isCoolingDown(at: now)
                    else { continue }
                    // Last-resort channels are all open: one tier, ordered by the strategy.
                    let tier: UInt8 = lagging ? Tier.lagging : (health.phase == .halfOpen ? Tier.halfOpen : Tier.healthy)
                    if tier == Tier.healthy && !contributedHealthy {
                        contributedHealthy = true
                        healthyProviders += 1
                    }
                    if tier != Tier.lagging { freshCount += 1 }
                    // For round robin, `primary` holds the provider's rotation ordinal until the
                    // number of healthy providers is known.
                    let ordinal = Double(healthyProviders - 1)
                    buffer.initializeElement(at: count, to: Candidate(
                        tier: tier, primary: tier == Tier.healthy ? ordinal : 0,
                        provider: Int32(truncatingIfNeeded: index), transport: kind == .http ? 0 : 1))
                    count += 1
                }
            }

            if freshCount > 0 && freshCount < count {
                count = dropLagging(buffer, count: count)
            }
            assignPrimary(buffer, count: count, chain: chain, method: method, strategy: strategy,
                          roundRobinCounter: roundRobinCounter, healthyProviders: healthyProviders)
            insertionSort(buffer, count: count)
            // `Candidate` is trivial, so the buffer needs no deinitialization.
            return buffer[0..<count].map { slot($0) }
        }
    }

    /// One eligible channel and its sort key: tier, then the strategy's `primary`, then the
    /// provider's position in (priority, id) order, then HTTP before WebSocket.
    struct Candidate: BitwiseCopyable {
        var tier: UInt8
        var primary: Double
        var provider: Int32
        var transport: UInt8

        @inline(__always)
        func precedes(_ other: Candidate) -> Bool {
            if tier != other.tier { return tier < other.tier }
            if primary != other.primary { return primary < other.primary }
            if provider != other.provider { return provider < other.provider }
            return transport < other.transport
        }
    }

    enum Tier {
        static let healthy: UInt8 = 0
        static let halfOpen: UInt8 = 1
        static let lagging: UInt8 = 2
    }

    private static func dropLagging(_ buffer: UnsafeMutableBufferPointer<Candidate>, count: Int) -> Int {
        var kept = 0
        for position in 0..<count where buffer[position].tier != Tier.lagging {
            buffer[kept] = buffer[position]
            kept += 1
        }
        return kept
    }

    private static func assignPrimary(
        _ buffer: UnsafeMutableBufferPointer<Candidate>,
        count: Int,
        chain: ChainSnapshot,
        method: String,
        strategy: SelectionStrategy,
        roundRobinCounter: UInt64,
        healthyProviders: Int
    ) {
        switch strategy {
        case .priority:
            for position in 0..<count { buffer[position].primary = 0 }

        case .cheapest:
            for position in 0..<count {
                buffer[position].primary = chain.providers[Int(buffer[position].provider)].isPublic ? 0 : 1
            }

        case .roundRobin:
            guard healthyProviders > 0 else { return }
            let span = UInt64(healthyProviders)
            let offset = roundRobinCounter % span
            for position in 0..<count where buffer[position].tier == Tier.healthy {
                let ordinal = UInt64(buffer[position].primary)
                buffer[position].primary = Double((ordinal + span - offset) % span)
            }

        case .fastest:
            guard let row = chain.performance[method] else {
                for position in 0..<count { buffer[position].primary = 0 }
                return
            }
            var slowest = 0.0
            for position in 0..<count {
                let measured = row[slot(buffer[position])]
                if measured.samples > 0 { slowest = max(slowest, measured.latencyMs) }
            }
            let prior = chain.scoring.priorLatencyMs(slowestMeasuredLatencyMs: slowest)
            for position in 0..<count {
                buffer[position].primary = chain.scoring.cost(row[slot(buffer[position])], priorLatencyMs: prior)
            }
        }
    }

    @inline(__always)
    private static func slot(_ candidate: Candidate) -> Int {
        Int(candidate.provider) &* 2 &+ Int(candidate.transport)
    }

    /// Insertion sort: stable, allocation-free, and the fastest choice for the handful of
    /// channels a chain has.
    private static func insertionSort(_ buffer: UnsafeMutableBufferPointer<Candidate>, count: Int) {
        guard count > 1 else { return }
        for position in 1..<count {
            let candidate = buffer[position]
            var hole = position
            while hole > 0 && candidate.precedes(buffer[hole - 1]) {
                buffer[hole] = buffer[hole - 1]
                hole -= 1
            }
            buffer[hole] = candidate
        }
    }
}
