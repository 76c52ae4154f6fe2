import Supervision
import Testing
@testable import Lasso

private let hour: UInt64 = 3_600_000
private func at(hours: UInt64, plus ms: UInt64 = 0) -> RuntimeInstant { RuntimeInstant(milliseconds: hours * hour + ms) }
private func key(_ provider: String, _ method: String = "eth_call", _ transport: TransportKind = .http) -> MetricKey {
    MetricKey(providerID: provider, method: method, transport: transport)
}

@Suite("BenchmarkStore")
struct BenchmarkStoreTests {
    @Test("counts, success rate, EWMA, mean and percentiles per key")
    func basicStats() throws {
        var store = BenchmarkStore()
        let now = at(hours: 10)
        for latency in [10_000, 20_000, 30_000] as [UInt64] {
            #expect(store.record(chain: "eth", key: key("a"), latencyMicros: latency, succeeded: true, at: now) == .recorded)
        }
        store.record(chain: "eth", key: key("a"), latencyMicros: 0, succeeded: false, at: now)
        let stats = try #require(store.stats(chain: "eth", key: key("a"), now: now))
        #expect(stats.count == 4)
        #expect(stats.successes == 3)
        #expect(stats.failures == 1)
        #expect(stats.successRate == 0.75)
        let latency = try #require(stats.latency)
        // EWMA with α = 0.2: 10 → 12 → 15.6.
        #expect(abs(latency.ewmaMs - 15.6) < 1e-9)
        #expect(abs(latency.meanMs - 20) < 1e-9)
        #expect(abs(latency.p50Ms - 20) / 20 <= 0.0625)
        #expect(abs(latency.p99Ms - 30) / 30 <= 0.0625)
        #expect(stats.lastUpdated == now)
    }

    @Test("keys are separate per provider, method and transport, and per chain")
    func keysAreSeparate() {
        var store = BenchmarkStore()
        let now = at(hours: 1)
        store.record(chain: "eth", key: key("a", "eth_call", .http), latencyMicros: 1_000, succeeded: true, at: now)
        store.record(chain: "eth", key: key("a", "eth_call", .ws), latencyMicros: 1_000, succeeded: true, at: now)
        store.record(chain: "eth", key: key("a", "eth_getLogs", .http), latencyMicros: 1_000, succeeded: true, at: now)
        store.record(chain: "eth", key: key("b", "eth_call", .http), latencyMicros: 1_000, succeeded: true, at: now)
        store.record(chain: "base", key: key("a", "eth_call", .http), latencyMicros: 1_000, succeeded: true, at: now)
        #expect(store.keyCount(chain: "eth") == 4)
        #expect(store.keyCount(chain: "base") == 1)
        #expect(store.stats(chain: "eth", key: key("a", "eth_call", .ws), now: now)?.count == 1)
        store.removeChain("base")
        #expect(store.keyCount(chain: "base") == 0)
    }

    @Test("failures are counted but never move latency figures")
    func failuresKeepLatencyClean() throws {
        var store = BenchmarkStore()
        let now = at(hours: 1)
        store.record(chain: "eth", key: key("a"), latencyMicros: 5_000, succeeded: true, at: now)
        store.record(chain: "eth", key: key("a"), latencyMicros: 30_000_000, succeeded: false, at: now)
        let latency = try #require(store.stats(chain: "eth", key: key("a"), now: now)?.latency)
        #expect(latency.ewmaMs == 5)
        #expect(latency.meanMs == 5)
        #expect(abs(latency.p99Ms - 5) / 5 <= 0.0625)
    }

    @Test("only failures: stats exist without latency")
    func onlyFailures() {
        var store = BenchmarkStore()
        store.record(chain: "eth", key: key("a"), latencyMicros: 1, succeeded: false, at: at(hours: 1))
        let stats = store.stats(chain: "eth", key: key("a"), now: at(hours: 1))
        #expect(stats?.count == 1)
        #expect(stats?.latency == nil)
        #expect(stats?.successRate == 0)
    }

    @Test("24 h retention: an hour's data is visible for 24 hours and gone in the 25th")
    func retention() {
        var store = BenchmarkStore()
        store.record(chain: "eth", key: key("a"), latencyMicros: 1_000, succeeded: true, at: at(hours: 100, plus: 10))
        #expect(store.stats(chain: "eth", key: key("a"), now: at(hours: 123, plus: 3_599_999))?.count == 1)
        #expect(store.stats(chain: "eth", key: key("a"), now: at(hours: 124)) == nil)
    }

    @Test("windows aggregate across hours and the ring reuses the oldest one")
    func windowsAggregate() {
        var store = BenchmarkStore()
        for h in 0..<30 as Range<UInt64> {
            store.record(chain: "eth", key: key("a"), latencyMicros: 1_000, succeeded: true, at: at(hours: h))
        }
        // Hours 6…29 are retained at hour 29: 24 samples.
        #expect(store.stats(chain: "eth", key: key("a"), now: at(hours: 29))?.count == 24)
        // A sample arriving with an older timestamp lands in the newest window.
        store.record(chain: "eth", key: key("a"), latencyMicros: 1_000, succeeded: true, at: at(hours: 2))
        #expect(store.stats(chain: "eth", key: key("a"), now: at(hours: 29))?.count == 25)
    }

    @Test("prune clears expired windows and frees idle keys; freed slots are reused")
    func pruneFreesKeys() {
        var store = BenchmarkStore(configuration: .init(maxKeysPerChain: 2))
        store.record(chain: "eth", key: key("old"), latencyMicros: 1_000, succeeded: true, at: at(hours: 0))
        store.record(chain: "eth", key: key("live"), latencyMicros: 1_000, succeeded: true, at: at(hours: 20))
        #expect(store.prune(now: at(hours: 23)) == 0)
        #expect(store.prune(now: at(hours: 24)) == 1)
        #expect(store.keyCount(chain: "eth") == 1)
        #expect(store.stats(chain: "eth", key: key("old"), now: at(hours: 24)) == nil)
        #expect(store.stats(chain: "eth", key: key("live"), now: at(hours: 24))?.count == 1)
        // The freed slot takes a new key even though the cap is 2, and starts empty.
        #expect(store.record(chain: "eth", key: key("new"), latencyMicros: 2_000, succeeded: true, at: at(hours: 24)) == .recorded)
        #expect(store.stats(chain: "eth", key: key("new"), now: at(hours: 24))?.count == 1)
        #expect(store.stats(chain: "eth", key: key("new"), now: at(hours: 24))?.latency?.ewmaMs == 2)
        #expect(store.record(chain: "eth", key: key("third"), latencyMicros: 1, succeeded: true, at: at(hours: 24)) == .keyLimitReached)
    }

    @Test("the key cap refuses new keys, counts refusals, and keeps recording existing ones")
    func keyCap() {
        var store = BenchmarkStore(configuration: .init(maxKeysPerChain: 3))
        let now = at(hours: 1)
        for provider in ["a", "b", "c"] {
            #expect(store.record(chain: "eth", key: key(provider), latencyMicros: 1_000, succeeded: true, at: now) == .recorded)
        }
        #expect(store.record(chain: "eth", key: key("d"), latencyMicros: 1_000, succeeded: true, at: now) == .keyLimitReached)
        #expect(store.record(chain: "eth", key: key("a"), latencyMicros: 1_000, succeeded: true, at: now) == .recorded)
        #expect(store.keyCount(chain: "eth") == 3)
        #expect(store.refusedRecords(chain: "eth") == 1)
        #expect(store.stats(chain: "eth", key: key("d"), now: now) == nil)
    }

    @Test("with the default cap, a chain full of keys stays under 10 MB")
    func defaultCapUnderTenMegabytes() {
        var store = BenchmarkStore()
        let now = at(hours: 1)
        let cap = store.configuration.maxKeysPerChain
        #expect(cap == 512)
        // Long ids and method names, so string storage is counted too.
        for index in 0..<cap {
            let method = "eth_someRatherLongMethodName_\(index % 64)"
            let provider = "a_provider_with_a_long_id_\(index / 64)"
            #expect(store.record(chain: "eth", key: key(provider, method, index % 2 == 0 ? .http : .ws),
                                 latencyMicros: 1_000, succeeded: true, at: now) == .recorded)
        }
        #expect(store.record(chain: "eth", key: key("one_more"), latencyMicros: 1, succeeded: true, at: now) == .keyLimitReached)
        let bytes = store.approximateMemoryBytes(chain: "eth")
        #expect(bytes < 10 * 1_024 * 1_024)
        // The windows alone must account for the documented 24 × 728 B per key.
        #expect(bytes >= cap * 24 * 728)
    }

    @Test("recording into existing keys, across hours, does not grow memory")
    func recordDoesNotGrow() {
        var store = BenchmarkStore()
        for provider in ["a", "b", "c"] {
            store.record(chain: "eth", key: key(provider), latencyMicros: 1_000, succeeded: true, at: at(hours: 0))
        }
        let before = store.approximateMemoryBytes(chain: "eth")
        for step in 0..<10_000 as Range<UInt64> {
            store.record(chain: "eth", key: key(["a", "b", "c"][Int(step % 3)]), latencyMicros: step * 10,
                         succeeded: step % 7 != 0, at: at(hours: step / 200))
        }
        #expect(store.approximateMemoryBytes(chain: "eth") == before)
    }

    @Test("method names longer than the limit are refused")
    func longMethodRefused() {
        var store = BenchmarkStore()
        let name = String(repeating: "m", count: 65)
        #expect(store.record(chain: "eth", key: key("a", name), latencyMicros: 1, succeeded: true, at: at(hours: 1)) == .methodNameTooLong)
        #expect(store.keyCount(chain: "eth") == 0)
    }

    @Test("selection performance reports the recent hours and the EWMA, per method and channel")
    func selectionPerformance() {
        var store = BenchmarkStore()
        store.record(chain: "eth", key: key("old"), latencyMicros: 1_000, succeeded: true, at: at(hours: 1))
        store.record(chain: "eth", key: key("a", "eth_call", .ws), latencyMicros: 4_000, succeeded: true, at: at(hours: 4))
        store.record(chain: "eth", key: key("a", "eth_call", .ws), latencyMicros: 9_000, succeeded: false, at: at(hours: 5))
        let table = store.selectionPerformance(chain: "eth", now: at(hours: 5))
        #expect(table == ["eth_call": [Channel(providerID: "a", transport: .ws): ChannelPerformance(samples: 2, successes: 1, latencyMs: 4)]])
        #expect(store.selectionPerformance(chain: "unknown", now: at(hours: 5)).isEmpty)
    }

    @Test("selection performance plugs into a snapshot and drives fastest")
    func feedsSelection() {
        var store = BenchmarkStore()
        let now = at(hours: 1)
        for _ in 0..<50 {
            store.record(chain: "eth", key: key("slow"), latencyMicros: 80_000, succeeded: true, at: now)
            store.record(chain: "eth", key: key("fast"), latencyMicros: 20_000, succeeded: true, at: now)
        }
        let chain = ChainSnapshot(
            providers: [ProviderSnapshot(id: "slow", priority: 1), ProviderSnapshot(id: "fast", priority: 2)],
            performance: store.selectionPerformance(chain: "eth", now: now))
        let order = Selection.orderedSlots(chain, method: "eth_call", strategy: .fastest, now: now)
        #expect(order.map { chain.channel(atSlot: $0).providerID } == ["fast", "slow"])
    }

    @Test("the leaderboard ranks fast reliable providers first, failing ones last, ties by id")
    func leaderboard() {
        var store = BenchmarkStore()
        let now = at(hours: 3)
        for index in 0..<100 {
            store.record(chain: "eth", key: key("fast", "eth_call"), latencyMicros: 10_000, succeeded: true, at: now)
            store.record(chain: "eth", key: key("fast", "eth_getLogs", .ws), latencyMicros: 30_000, succeeded: true, at: now)
            store.record(chain: "eth", key: key("slow"), latencyMicros: 200_000, succeeded: true, at: now)
            store.record(chain: "eth", key: key("flaky"), latencyMicros: 5_000, succeeded: index % 2 == 0, at: now)
            store.record(chain: "eth", key: key("twin_b"), latencyMicros: 50_000, succeeded: true, at: now)
            store.record(chain: "eth", key: key("twin_a"), latencyMicros: 50_000, succeeded: true, at: now)
        }
        let board = store.leaderboard(chain: "eth", now: now)
        #expect(board.map(\.providerID) == ["fast", "twin_a", "twin_b", "slow", "flaky"])
        let fast = board.first
        #expect(fast?.count == 200)
        #expect(fast?.successRate == 1)
        #expect(abs((fast?.meanLatencyMs ?? 0) - 20) < 1e-9)
        #expect(board.last?.successRate == 0.5)
        #expect(store.leaderboard(chain: "unknown", now: now).isEmpty)
    }

    @Test("a snapshot seeds another store with its counts, mean and EWMA, and refuses what the store would")
    func snapshotAndSeed() throws {
        var store = BenchmarkStore()
        let now = at(hours: 3)
        for latency in [10_000, 30_000] as [UInt64] {
            store.record(chain: "eth", key: key("a"), latencyMicros: latency, succeeded: true, at: now)
        }
        store.record(chain: "eth", key: key("b", "eth_getLogs", .ws), latencyMicros: 0, succeeded: false, at: now)
        store.record(chain: "base", key: key("c"), latencyMicros: 5_000, succeeded: true, at: now)
        let snapshot = store.snapshot(chains: ["eth"], now: now)
        #expect(Array(snapshot.chains.keys) == ["eth"], "only the chains asked for")
        #expect(snapshot.chains["eth"]?.map(\.provider) == ["a", "b"])
        let a = try #require(snapshot.chains["eth"]?.first)
        #expect(a.successes == 2 && a.failures == 0 && abs(a.meanMs - 20) < 1e-9 && abs(a.ewmaMs - 14) < 1e-9)

        var restored = BenchmarkStore()
        var tampered = snapshot
        tampered.chains["eth"]?.append(BenchmarkSnapshot.Entry(provider: "x", method: "eth_call", transport: .http,
                                                               successes: 1, failures: 0, meanMs: .nan, figures: .init(ewmaMs: 1)))
        tampered.chains["eth"]?.append(BenchmarkSnapshot.Entry(provider: "y", method: String(repeating: "m", count: 65),
                                                               transport: .http, successes: 1, failures: 0, meanMs: 1, figures: .init(ewmaMs: 1)))
        let later = at(hours: 50)
        #expect(restored.seed(tampered, now: later) == 2)
        let stats = try #require(restored.stats(chain: "eth", key: key("a"), now: later))
        #expect(stats.count == 2 && stats.successes == 2)
        #expect(abs((stats.latency?.ewmaMs ?? 0) - 14) < 1e-9 && abs((stats.latency?.meanMs ?? 0) - 20) < 1e-9)
        #expect(restored.stats(chain: "eth", key: key("b", "eth_getLogs", .ws), now: later)?.failures == 1)
        #expect(restored.keyCount(chain: "eth") == 2)
        #expect(restored.snapshot(chains: ["eth"], now: later) == snapshot, "a seeded store snapshots the same")
    }
}
