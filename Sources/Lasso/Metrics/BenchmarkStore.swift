import Supervision

/// Passive performance measurements per chain/provider/method/transport: the data behind the
/// `fastest` strategy, the leaderboard and the latency metrics. A pure value; the
/// `BenchmarkStore` process owns one, feeds it every attempt and publishes what it derives.
///
/// Guarantees:
/// - `record` is O(1) and allocates nothing for a key already present: two hash lookups, an
///   index computation and a few counter updates.
/// - Data lives in hourly windows (on the monotonic clock); a window older than
///   `retainedHours` is cleared in place when the ring reuses it, and `prune(now:)` — called
///   hourly — also frees keys with nothing left in any window.
/// - Per chain at most `maxKeysPerChain` keys; records for further keys are refused and
///   counted, never evicting measured keys. With the defaults a chain stays under 10 MB:
///
///   ```
///   per key and window: 178 buckets × 4 B + 16 B counters          =    728 B
///   per key:            24 windows × 728 B                          = 17 472 B
///                       + live stats, key copies, dictionary entry  ≈    400 B
///   per chain:          512 keys × ≈ 17 872 B                       ≈ 9.15 MB  (< 10 MB = 10 485 760 B)
///   ```
///   512 keys cover 5 providers × 2 transports × 51 methods. Method names longer than
///   `maxMethodNameBytes` are refused so a client cannot inflate key storage.
///
/// Example:
/// ```
/// var store = BenchmarkStore()
/// store.record(chain: "ethereum", key: MetricKey(providerID: "ankr", method: "eth_call", transport: .http),
///              latencyMicros: 42_000, succeeded: true, at: now)
/// store.stats(chain: "ethereum", key: …, now: now)?.latency?.p50Ms   // ≈ 42
/// ```
public struct BenchmarkStore: Sendable {
    /// Retention, caps and smoothing.
    public struct Configuration: Equatable, Sendable {
        /// Hours of windows kept (24).
        public var retainedHours: Int
        /// Keys per chain beyond which new keys are refused (512).
        public var maxKeysPerChain: Int
        /// Weight of the newest sample in the latency EWMA (0.2: about the last ten samples).
        public var ewmaAlpha: Double
        /// Hours of counts `selectionPerformance` reports (2: this hour and the last), so a
        /// provider's success rate reflects the present rather than yesterday.
        public var recentHours: Int
        /// Longest method name recorded, in UTF-8 bytes (64).
        public var maxMethodNameBytes: Int
        /// The cost rule the leaderboard ranks by, shared with `Selection`.
        public var scoring: FastestScoring

        /// The documented defaults, overridable one by one.
        public init(
            retainedHours: Int = 24,
            maxKeysPerChain: Int = 512,
            ewmaAlpha: Double = 0.2,
            recentHours: Int = 2,
            maxMethodNameBytes: Int = 64,
            scoring: FastestScoring = FastestScoring()
        ) {
            self.retainedHours = max(1, retainedHours)
            self.maxKeysPerChain = max(1, maxKeysPerChain)
            self.ewmaAlpha = min(1, max(0.001, ewmaAlpha))
            self.recentHours = max(1, recentHours)
            self.maxMethodNameBytes = max(1, maxMethodNameBytes)
            self.scoring = scoring
        }
    }

    /// What `record` did with a sample.
    public enum RecordResult: Equatable, Sendable {
        /// Counted.
        case recorded
        /// Dropped: the chain already has `maxKeysPerChain` keys and this one is new.
        case keyLimitReached
        /// Dropped: the method name is longer than `maxMethodNameBytes`.
        case methodNameTooLong
    }

    /// The retention, caps and smoothing in force.
    public let configuration: Configuration
    private var chains: [String: ChainBenchmarks] = [:]

    /// An empty store.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Records one attempt's outcome. Record only what `ErrorClassification.benchmarkSuccess`
    /// says to: a success with its latency, or a failure that reflects the provider's health.
    @discardableResult
    public mutating func record(
        chain: String, key: MetricKey, latencyMicros: UInt64, succeeded: Bool, at now: RuntimeInstant
    ) -> RecordResult {
        if key.method.utf8.count > configuration.maxMethodNameBytes { return .methodNameTooLong }
        let recorded = chains[chain, default: ChainBenchmarks(retainedHours: configuration.retainedHours)]
            .record(key, latencyMicros: latencyMicros, succeeded: succeeded, now: now,
                    maxKeys: configuration.maxKeysPerChain, ewmaAlpha: configuration.ewmaAlpha)
        return recorded ? .recorded : .keyLimitReached
    }

    /// The summary of `chains` that `BenchmarkPersistence` writes: every key with data over
    /// the retention period, ordered by provider, method and transport.
    public func snapshot(chains keys: [String], now: RuntimeInstant) -> BenchmarkSnapshot {
        let chains = rows(chains: keys, hour: Self.hour(of: now), hours: configuration.retainedHours) { data, slot in
            BenchmarkSnapshot.Figures(ewmaMs: data.live[slot].hasLatency ? data.live[slot].ewmaMs : 0)
        }
        return BenchmarkSnapshot(chains: chains)
    }

    /// The hourly window of monotonic hour `hour` for `chains`: per key with attempts in it, its
    /// counts and latency (mean, p50, p95), ordered by provider, method and transport. Empty
    /// when the window has left the retention ring.
    public func hour(_ hour: UInt64, chains keys: [String]) -> [String: [BenchmarkHistoryPoint.Entry]] {
        rows(chains: keys, hour: hour, hours: 1) { data, slot in
            var histogram = LatencyHistogram()
            data.addLatencies(slot: slot, nowHour: hour, hours: 1, into: &histogram)
            return BenchmarkHistoryPoint.Figures(p50Ms: (histogram.percentileMicros(0.50) ?? 0) / 1_000,
                                                 p95Ms: (histogram.percentileMicros(0.95) ?? 0) / 1_000)
        }
    }

    /// Per chain, a row for every key with attempts in the `hours` ending with `hour`, ordered
    /// by provider, method and transport; `figures` adds what the file keeps besides counts and
    /// mean. Chains with no such key are left out.
    private func rows<Figures>(chains keys: [String], hour: UInt64, hours: Int,
                               figures: (ChainBenchmarks, Int) -> Figures) -> [String: [BenchmarkRow<Figures>]] {
        var chains: [String: [BenchmarkRow<Figures>]] = [:]
        for chain in keys {
            guard let data = self.chains[chain] else { continue }
            var rows: [BenchmarkRow<Figures>] = []
            for (key, slot) in data.slotsByKey {
                let totals = data.totals(slot: slot, nowHour: hour, hours: hours)
                guard totals.count > 0 else { continue }
                rows.append(BenchmarkRow(
                    provider: key.providerID, method: key.method, transport: key.transport,
                    successes: UInt64(totals.successes), failures: UInt64(totals.failures),
                    meanMs: totals.successes == 0 ? 0 : Double(totals.successLatencyMicros) / Double(totals.successes) / 1_000,
                    figures: figures(data, slot)))
            }
            rows.sort { ($0.provider, $0.method, $0.transport.rawValue) < ($1.provider, $1.method, $1.transport.rawValue) }
            if !rows.isEmpty { chains[chain] = rows }
        }
        return chains
    }

    /// The monotonic hour `instant` falls in, as the windows count them.
    public static func hourNumber(of instant: RuntimeInstant) -> UInt64 { hour(of: instant) }

    /// Adds a snapshot's figures to the current hour, as a prior for `fastest` after a
    /// restart. Entries the store would refuse (over-long methods, past the key cap, negative
    /// or non-finite latencies) are skipped; returns how many were taken.
    @discardableResult
    public mutating func seed(_ snapshot: BenchmarkSnapshot, now: RuntimeInstant) -> Int {
        var taken = 0
        for (chain, entries) in snapshot.chains {
            for entry in entries where entry.method.utf8.count <= configuration.maxMethodNameBytes
                && entry.meanMs.isFinite && entry.meanMs >= 0 && entry.ewmaMs.isFinite && entry.ewmaMs >= 0 {
                let seeded = chains[chain, default: ChainBenchmarks(retainedHours: configuration.retainedHours)].seed(
                    entry.key, successes: UInt32(clamping: entry.successes), failures: UInt32(clamping: entry.failures),
                    meanLatencyMicros: UInt64(min(entry.meanMs * 1_000, 1e12)), ewmaMs: min(entry.ewmaMs, 1e9),
                    now: now, maxKeys: configuration.maxKeysPerChain)
                if seeded { taken += 1 }
            }
        }
        return taken
    }

    /// The hourly cleanup: moves every chain's window ring to `now`, clearing windows that
    /// fell out of retention, and frees keys with no data left. Returns the keys freed.
    @discardableResult
    public mutating func prune(now: RuntimeInstant) -> Int {
        let hour = Self.hour(of: now)
        var dropped = 0
        for chain in Array(chains.keys) {
            chains[chain]?.advance(toHour: hour)
            dropped += chains[chain]?.dropIdleKeys(nowHour: hour, retainedHours: configuration.retainedHours) ?? 0
        }
        return dropped
    }

    /// Forgets a chain entirely (it was removed from the config).
    public mutating func removeChain(_ chain: String) {
        chains[chain] = nil
    }

    /// The keys a chain currently holds.
    public func keyCount(chain: String) -> Int {
        chains[chain]?.keyCount ?? 0
    }

    /// Records refused for a chain because its key cap was reached.
    public func refusedRecords(chain: String) -> UInt64 {
        chains[chain]?.refusedRecords ?? 0
    }

    /// An estimate of the bytes a chain's data holds, from array capacities and string storage.
    public func approximateMemoryBytes(chain: String) -> Int {
        chains[chain]?.approximateBytes ?? 0
    }

    /// Everything known about `key` over the retention period; `nil` when nothing is.
    public func stats(chain: String, key: MetricKey, now: RuntimeInstant) -> MethodStats? {
        guard let data = chains[chain], let slot = data.slotsByKey[key] else { return nil }
        let hour = Self.hour(of: now)
        let totals = data.totals(slot: slot, nowHour: hour, hours: configuration.retainedHours)
        guard totals.count > 0 else { return nil }
        var latency: LatencyStats?
        if totals.successes > 0 {
            var histogram = LatencyHistogram()
            data.addLatencies(slot: slot, nowHour: hour, hours: configuration.retainedHours, into: &histogram)
            latency = LatencyStats(
                ewmaMs: data.live[slot].ewmaMs,
                meanMs: Double(totals.successLatencyMicros) / Double(totals.successes) / 1_000,
                p50Ms: (histogram.percentileMicros(0.50) ?? 0) / 1_000,
                p95Ms: (histogram.percentileMicros(0.95) ?? 0) / 1_000,
                p99Ms: (histogram.percentileMicros(0.99) ?? 0) / 1_000)
        }
        return MethodStats(count: totals.count, successes: UInt64(totals.successes),
                           failures: UInt64(totals.failures), latency: latency,
                           lastUpdated: data.live[slot].lastUpdated)
    }

    /// The score inputs for `ChainSnapshot`: per method, per channel, the attempts of the last
    /// `recentHours` hours and the latency EWMA. Keys with no recent attempt are left out
    /// (unmeasured).
    public func selectionPerformance(chain: String, now: RuntimeInstant) -> [String: [Channel: ChannelPerformance]] {
        guard let data = chains[chain] else { return [:] }
        let hour = Self.hour(of: now)
        var table: [String: [Channel: ChannelPerformance]] = [:]
        for (key, slot) in data.slotsByKey {
            let totals = data.totals(slot: slot, nowHour: hour, hours: configuration.recentHours)
            guard totals.count > 0 else { continue }
            table[key.method, default: [:]][key.channel] = ChannelPerformance(
                samples: UInt32(clamping: totals.count), successes: totals.successes,
                latencyMs: data.live[slot].ewmaMs)
        }
        return table
    }

    /// The chain's providers ranked over the retention period, all methods and transports
    /// together, by `FastestScoring.cost` (prior latency: twice the slowest provider's mean),
    /// ties by id. Providers with no data are absent.
    public func leaderboard(chain: String, now: RuntimeInstant) -> [LeaderboardEntry] {
        guard let data = chains[chain] else { return [] }
        let hour = Self.hour(of: now)
        var byProvider: [String: (successes: UInt64, failures: UInt64, latencyMicros: UInt64, histogram: LatencyHistogram)] = [:]
        for (key, slot) in data.slotsByKey {
            let totals = data.totals(slot: slot, nowHour: hour, hours: configuration.retainedHours)
            guard totals.count > 0 else { continue }
            var entry = byProvider[key.providerID] ?? (0, 0, 0, LatencyHistogram())
            entry.successes += UInt64(totals.successes)
            entry.failures += UInt64(totals.failures)
            entry.latencyMicros &+= totals.successLatencyMicros
            data.addLatencies(slot: slot, nowHour: hour, hours: configuration.retainedHours, into: &entry.histogram)
            byProvider[key.providerID] = entry
        }
        var entries = byProvider.map { provider, totals in
            LeaderboardEntry(
                providerID: provider,
                count: totals.successes + totals.failures,
                successes: totals.successes,
                meanLatencyMs: totals.successes == 0 ? 0 : Double(totals.latencyMicros) / Double(totals.successes) / 1_000,
                p50Ms: (totals.histogram.percentileMicros(0.50) ?? 0) / 1_000,
                p95Ms: (totals.histogram.percentileMicros(0.95) ?? 0) / 1_000,
                p99Ms: (totals.histogram.percentileMicros(0.99) ?? 0) / 1_000,
                score: 0)
        }
        let slowest = entries.reduce(0) { max($0, $1.meanLatencyMs) }
        let prior = configuration.scoring.priorLatencyMs(slowestMeasuredLatencyMs: slowest)
        for index in entries.indices {
            let performance = ChannelPerformance(
                samples: UInt32(clamping: entries[index].count),
                successes: UInt32(clamping: entries[index].successes),
                latencyMs: entries[index].meanLatencyMs)
            entries[index].score = configuration.scoring.cost(performance, priorLatencyMs: prior)
        }
        entries.sort { ($0.score, $0.providerID) < ($1.score, $1.providerID) }
        return entries
    }

    private static func hour(of instant: RuntimeInstant) -> UInt64 {
        instant.milliseconds / ChainBenchmarks.millisecondsPerHour
    }
}
