import Supervision
import Testing
@testable import Lasso

private let now = RuntimeInstant(milliseconds: 1_000_000)

/// The slots `Selection` returns, named as channels of `chain` ("provider/transport").
private func ids(_ slots: [Int], of chain: ChainSnapshot) -> [String] {
    slots.map { chain.channel(atSlot: $0).description }
}

private func provider(
    _ id: String, priority: Int, isPublic: Bool = false, http: ChannelHealth = .healthy,
    ws: ChannelHealth? = .healthy, head: UInt64? = nil, unsupported: Set<String> = []
) -> ProviderSnapshot {
    ProviderSnapshot(id: id, priority: priority, isPublic: isPublic, http: http, ws: ws,
                     headBlock: head, unsupportedMethods: unsupported)
}

private func select(
    _ chain: ChainSnapshot, _ strategy: SelectionStrategy = .priority, method: String = "eth_call",
    counter: UInt64 = 0, transport: TransportKind? = nil
) -> [String] {
    ids(Selection.orderedSlots(chain, method: method, strategy: strategy, now: now,
                               roundRobinCounter: counter, transport: transport), of: chain)
}

@Suite("Selection eligibility and tiers")
struct SelectionEligibilityTests {
    @Test("priority orders by priority, HTTP before WS within a provider")
    func priorityOrder() {
        let chain = ChainSnapshot(providers: [provider("c", priority: 3), provider("a", priority: 1), provider("b", priority: 2)])
        #expect(select(chain) == ["a/http", "a/ws", "b/http", "b/ws", "c/http", "c/ws"])
    }

    @Test("equal priorities break ties by id")
    func tieBreakByID() {
        let chain = ChainSnapshot(providers: [provider("zeta", priority: 1, ws: nil), provider("alpha", priority: 1, ws: nil)])
        #expect(select(chain) == ["alpha/http", "zeta/http"])
    }

    @Test("a provider without ws_url has only an HTTP channel")
    func noWebSocket() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil)])
        #expect(select(chain) == ["a/http"])
        #expect(select(chain, transport: .ws) == [])
    }

    @Test("open and forced-open channels are excluded, per transport")
    func openExcluded() {
        let chain = ChainSnapshot(providers: [
            provider("a", priority: 1, http: ChannelHealth(phase: .open)),
            provider("b", priority: 2, ws: ChannelHealth(phase: .forcedOpen)),
        ])
        #expect(select(chain) == ["a/ws", "b/http"])
    }

    @Test("half-open channels go after every healthy one, whatever their priority")
    func halfOpenLast() {
        let chain = ChainSnapshot(providers: [
            provider("a", priority: 1, http: ChannelHealth(phase: .halfOpen), ws: nil),
            provider("b", priority: 2, ws: nil),
            provider("c", priority: 3, ws: nil),
        ])
        #expect(select(chain) == ["b/http", "c/http", "a/http"])
    }

    @Test("a channel cooling down after a rate limit is skipped until the cooldown ends")
    func cooldownSkipped() {
        let cooling = ChannelHealth(phase: .closed, cooldownUntil: now.advanced(byMilliseconds: 1))
        let expired = ChannelHealth(phase: .closed, cooldownUntil: now)
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, http: cooling, ws: nil),
                                              provider("b", priority: 2, http: expired, ws: nil)])
        #expect(select(chain) == ["b/http"])
    }

    @Test("a provider known not to support the method is skipped for that method only")
    func unsupportedMethodSkipped() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil, unsupported: ["trace_block"]),
                                              provider("b", priority: 2, ws: nil)])
        #expect(select(chain, method: "trace_block") == ["b/http"])
        #expect(select(chain, method: "eth_call") == ["a/http", "b/http"])
    }

    @Test("the transport filter keeps only that transport's channels")
    func transportFilter() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1), provider("b", priority: 2, ws: nil)])
        #expect(select(chain, transport: .ws) == ["a/ws"])
        #expect(select(chain, transport: .http) == ["a/http", "b/http"])
    }

    @Test("nothing eligible, or no providers, gives an empty list")
    func empty() {
        #expect(select(ChainSnapshot(providers: [])) == [])
        let allOpen = ChainSnapshot(providers: [provider("a", priority: 1, http: ChannelHealth(phase: .open), ws: ChannelHealth(phase: .open))])
        #expect(select(allOpen) == [])
    }
}

private func lastResort(_ chain: ChainSnapshot, _ strategy: SelectionStrategy = .priority, counter: UInt64 = 0,
                        transport: TransportKind? = nil) -> [String] {
    ids(Selection.orderedSlots(chain, method: "eth_call", strategy: strategy, now: now, roundRobinCounter: counter,
                               transport: transport, lastResort: true), of: chain)
}

@Suite("Selection last resort")
struct SelectionLastResortTests {
    static let open = ChannelHealth(phase: .open)

    @Test("every breaker open: nothing is eligible, and the last resort is the open channels in priority order")
    func allOpen() {
        let chain = ChainSnapshot(providers: [provider("b", priority: 2, http: Self.open, ws: Self.open),
                                              provider("a", priority: 1, http: Self.open, ws: nil)])
        #expect(select(chain) == [])
        #expect(lastResort(chain) == ["a/http", "b/http", "b/ws"])
        #expect(lastResort(chain, transport: .ws) == ["b/ws"])
    }

    @Test("forced open, cooling down and unsupported stay excluded from the last resort")
    func exclusionsHold() {
        let cooling = ChannelHealth(phase: .open, cooldownUntil: now.advanced(byMilliseconds: 5))
        let chain = ChainSnapshot(providers: [
            provider("a", priority: 1, http: ChannelHealth(phase: .forcedOpen), ws: nil),
            provider("b", priority: 2, http: cooling, ws: nil),
            provider("c", priority: 3, http: Self.open, ws: nil, unsupported: ["eth_call"]),
            provider("d", priority: 4, http: Self.open, ws: nil),
        ])
        #expect(select(chain) == [])
        #expect(lastResort(chain) == ["d/http"])
        let forcedOnly = ChainSnapshot(providers: [provider("a", priority: 1, http: ChannelHealth(phase: .forcedOpen), ws: nil)])
        #expect(lastResort(forcedOnly) == [])
    }

    @Test("the last resort holds only open channels: closed and half-open ones are the ordinary answer")
    func onlyOpen() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil),
                                              provider("b", priority: 2, http: ChannelHealth(phase: .halfOpen), ws: nil),
                                              provider("c", priority: 3, http: Self.open, ws: nil)])
        #expect(select(chain) == ["a/http", "b/http"])
        #expect(lastResort(chain) == ["c/http"])
    }

    @Test("the strategy orders the last resort: cheapest puts public first, round robin rotates, lag goes last")
    func strategyOrders() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, http: Self.open, ws: nil, head: 100),
                                              provider("b", priority: 2, isPublic: true, http: Self.open, ws: nil, head: 100),
                                              provider("c", priority: 3, http: Self.open, ws: nil, head: 100)])
        #expect(lastResort(chain, .cheapest) == ["b/http", "a/http", "c/http"])
        #expect(lastResort(chain, .roundRobin, counter: 1) == ["b/http", "c/http", "a/http"])
        let lagging = ChainSnapshot(providers: [provider("a", priority: 1, http: Self.open, ws: nil, head: 10),
                                                provider("b", priority: 2, http: Self.open, ws: nil, head: 1_000)])
        #expect(lastResort(lagging) == ["b/http"])
    }
}

@Suite("Selection lag")
struct SelectionLagTests {
    @Test("providers more than lag_threshold_blocks behind the best head are skipped; exactly at it they stay")
    func lagSkip() {
        let chain = ChainSnapshot(providers: [
            provider("a", priority: 1, ws: nil, head: 96),
            provider("b", priority: 2, ws: nil, head: 97),
            provider("c", priority: 3, ws: nil, head: 100),
        ], lagThresholdBlocks: 3)
        #expect(chain.bestKnownHead == 100)
        #expect(select(chain) == ["b/http", "c/http"])
    }

    @Test("a provider with an unknown head is not treated as lagging")
    func unknownHeadKept() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil, head: nil),
                                              provider("b", priority: 2, ws: nil, head: 100)])
        #expect(select(chain) == ["a/http", "b/http"])
    }

    @Test("with no head known anywhere, nobody lags")
    func noHeads() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil), provider("b", priority: 2, ws: nil)])
        #expect(chain.bestKnownHead == nil)
        #expect(select(chain) == ["a/http", "b/http"])
    }

    @Test("a head seen elsewhere raises the bar")
    func externalHead() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil, head: 100)],
                                  lagThresholdBlocks: 3, bestKnownHead: 110)
        #expect(chain.bestKnownHead == 110)
        // The only provider lags, and there is nothing fresher: it is kept as a last resort.
        #expect(select(chain) == ["a/http"])
    }

    @Test("lagging providers come back as a last resort only when no fresh channel is eligible")
    func lagLastResort() {
        let chain = ChainSnapshot(providers: [
            provider("leader", priority: 1, http: ChannelHealth(phase: .open), ws: nil, head: 100),
            provider("slow", priority: 2, ws: nil, head: 90),
            provider("slower", priority: 3, ws: nil, head: 80),
        ], lagThresholdBlocks: 3)
        #expect(select(chain) == ["slow/http", "slower/http"])
    }

    @Test("a half-open fresh provider still beats lagging ones, which are dropped")
    func halfOpenBeatsLagging() {
        let chain = ChainSnapshot(providers: [
            provider("fresh", priority: 2, http: ChannelHealth(phase: .halfOpen), ws: nil, head: 100),
            provider("stale", priority: 1, ws: nil, head: 50),
        ])
        #expect(select(chain) == ["fresh/http"])
    }
}

@Suite("Selection strategies")
struct SelectionStrategyTests {
    @Test("cheapest puts public providers first, then priority")
    func cheapest() {
        let chain = ChainSnapshot(providers: [
            provider("paid1", priority: 1, ws: nil),
            provider("public3", priority: 3, isPublic: true, ws: nil),
            provider("public2", priority: 2, isPublic: true, ws: nil),
        ])
        #expect(select(chain, .cheapest) == ["public2/http", "public3/http", "paid1/http"])
    }

    @Test("cheapest still puts a half-open public provider after healthy paid ones")
    func cheapestHalfOpen() {
        let chain = ChainSnapshot(providers: [
            provider("paid", priority: 1, ws: nil),
            provider("public", priority: 2, isPublic: true, http: ChannelHealth(phase: .halfOpen), ws: nil),
        ])
        #expect(select(chain, .cheapest) == ["paid/http", "public/http"])
    }

    @Test("round robin rotates the first healthy provider with the counter, keeping a provider's channels together")
    func roundRobinRotates() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1), provider("b", priority: 2), provider("c", priority: 3, ws: nil)])
        #expect(select(chain, .roundRobin, counter: 0) == ["a/http", "a/ws", "b/http", "b/ws", "c/http"])
        #expect(select(chain, .roundRobin, counter: 1) == ["b/http", "b/ws", "c/http", "a/http", "a/ws"])
        #expect(select(chain, .roundRobin, counter: 2) == ["c/http", "a/http", "a/ws", "b/http", "b/ws"])
        #expect(select(chain, .roundRobin, counter: 3) == select(chain, .roundRobin, counter: 0))
    }

    @Test("round robin rotates over healthy providers only; half-open stays last")
    func roundRobinSkipsUnhealthy() {
        let chain = ChainSnapshot(providers: [
            provider("a", priority: 1, ws: nil),
            provider("b", priority: 2, http: ChannelHealth(phase: .open), ws: nil),
            provider("c", priority: 3, ws: nil),
            provider("d", priority: 4, http: ChannelHealth(phase: .halfOpen), ws: nil),
        ])
        let firsts = (0..<4).map { select(chain, .roundRobin, counter: UInt64($0)).first }
        #expect(firsts == ["a/http", "c/http", "a/http", "c/http"])
        #expect(select(chain, .roundRobin, counter: 1) == ["c/http", "a/http", "d/http"])
    }

    @Test("round robin spreads evenly over many requests")
    func roundRobinEven() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil), provider("b", priority: 1, ws: nil), provider("c", priority: 9, ws: nil)])
        var firsts: [String: Int] = [:]
        for counter in 0..<300 { firsts[select(chain, .roundRobin, counter: UInt64(counter)).first ?? "", default: 0] += 1 }
        #expect(firsts == ["a/http": 100, "b/http": 100, "c/http": 100])
    }

    @Test("the counter is read modulo the healthy providers, even near its maximum")
    func roundRobinLargeCounter() {
        let chain = ChainSnapshot(providers: [provider("a", priority: 1, ws: nil), provider("b", priority: 2, ws: nil)])
        #expect(select(chain, .roundRobin, counter: UInt64.max) == ["b/http", "a/http"])
    }

    @Test("fastest without data falls back to priority order")
    func fastestWithoutData() {
        let chain = ChainSnapshot(providers: [provider("b", priority: 2), provider("a", priority: 1)])
        #expect(select(chain, .fastest) == select(chain, .priority))
    }

    @Test("fastest ranks well-measured channels by latency, across transports")
    func fastestByLatency() {
        let chain = ChainSnapshot(
            providers: [provider("a", priority: 1), provider("b", priority: 2, ws: nil)],
            performance: ["eth_call": [
                Channel(providerID: "a", transport: .http): ChannelPerformance(samples: 500, successes: 500, latencyMs: 80),
                Channel(providerID: "a", transport: .ws): ChannelPerformance(samples: 500, successes: 500, latencyMs: 20),
                Channel(providerID: "b", transport: .http): ChannelPerformance(samples: 500, successes: 500, latencyMs: 40),
            ]])
        #expect(select(chain, .fastest) == ["a/ws", "b/http", "a/http"])
        // Measurements are per method: another method has none and falls back to priority.
        #expect(select(chain, .fastest, method: "eth_getLogs") == ["a/http", "a/ws", "b/http"])
    }

    @Test("fastest: one lucky sample does not beat a well-measured channel")
    func fastestLuckySample() {
        let chain = ChainSnapshot(
            providers: [provider("steady", priority: 2, ws: nil), provider("lucky", priority: 1, ws: nil)],
            performance: ["eth_call": [
                Channel(providerID: "steady", transport: .http): ChannelPerformance(samples: 100, successes: 100, latencyMs: 50),
                Channel(providerID: "lucky", transport: .http): ChannelPerformance(samples: 1, successes: 1, latencyMs: 10),
            ]])
        #expect(select(chain, .fastest) == ["steady/http", "lucky/http"])
    }

    @Test("fastest: consistent evidence eventually wins")
    func fastestEvidenceWins() {
        let chain = ChainSnapshot(
            providers: [provider("steady", priority: 1, ws: nil), provider("quick", priority: 2, ws: nil)],
            performance: ["eth_call": [
                Channel(providerID: "steady", transport: .http): ChannelPerformance(samples: 100, successes: 100, latencyMs: 50),
                Channel(providerID: "quick", transport: .http): ChannelPerformance(samples: 40, successes: 40, latencyMs: 10),
            ]])
        #expect(select(chain, .fastest) == ["quick/http", "steady/http"])
    }

    @Test("fastest: a fast but unreliable channel loses to a slightly slower reliable one")
    func fastestPenalisesFailures() {
        let chain = ChainSnapshot(
            providers: [provider("flaky", priority: 1, ws: nil), provider("solid", priority: 2, ws: nil)],
            performance: ["eth_call": [
                Channel(providerID: "flaky", transport: .http): ChannelPerformance(samples: 1_000, successes: 800, latencyMs: 20),
                Channel(providerID: "solid", transport: .http): ChannelPerformance(samples: 1_000, successes: 999, latencyMs: 60),
            ]])
        #expect(select(chain, .fastest) == ["solid/http", "flaky/http"])
    }

    @Test("fastest: unmeasured channels rank after measured ones, and half-open stays last")
    func fastestUnmeasuredAndHalfOpen() {
        let chain = ChainSnapshot(
            providers: [provider("new", priority: 1, ws: nil),
                        provider("known", priority: 2, ws: nil),
                        provider("recovering", priority: 3, http: ChannelHealth(phase: .halfOpen), ws: nil)],
            performance: ["eth_call": [
                Channel(providerID: "known", transport: .http): ChannelPerformance(samples: 200, successes: 200, latencyMs: 100),
                Channel(providerID: "recovering", transport: .http): ChannelPerformance(samples: 200, successes: 200, latencyMs: 1),
            ]])
        #expect(select(chain, .fastest) == ["known/http", "new/http", "recovering/http"])
    }

    @Test("the snapshot lays out performance per provider and transport")
    func snapshotPerformanceLookup() {
        let measured = ChannelPerformance(samples: 3, successes: 2, latencyMs: 12)
        let channel = Channel(providerID: "b", transport: .ws)
        let chain = ChainSnapshot(providers: [provider("b", priority: 2), provider("a", priority: 1)],
                                  performance: ["eth_call": [channel: measured]])
        #expect(chain.providers.map(\.id) == ["a", "b"])
        #expect(chain.performance(of: channel, method: "eth_call") == measured)
        #expect(chain.performance(of: Channel(providerID: "b", transport: .http), method: "eth_call") == .unmeasured)
        #expect(chain.performance(of: channel, method: "eth_getLogs") == .unmeasured)
    }
}
