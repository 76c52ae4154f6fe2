import Supervision

/// The supervised process that owns the `BenchmarkStore` (the tree shows it as
/// `BenchmarkStore`).
///
/// The request pipeline's attempts arrive here in batches (one cast per event-loop turn), so
/// recording never delays a reply nor wakes this process per request. Every
/// `publishInterval` the measured performance of each running chain is published to its
/// `ChainStateBoard` (what the `fastest` strategy reads); every hour the store is pruned.
/// Each incarnation publishes its reference in the `BenchmarkStoreHandle` when it starts, which
/// is where the pipeline's recorder finds it. A restart loses the measurements, which only makes `fastest` fall back to priority order
/// until new samples arrive; `BenchmarkPersistence` snapshots them to disk and seeds the store
/// from that file when lassod starts.
public struct BenchmarkStoreServer: GenServer {
    public enum Call: Sendable {
        case leaderboard(chain: String)
        case stats(chain: String, key: MetricKey)
        case memoryBytes(chain: String)
        /// The summary `BenchmarkPersistence` writes.
        case snapshot(chains: [String])
        /// The hourly window `hoursAgo` hours before the current one (0: the hour in progress).
        case hour(chains: [String], hoursAgo: UInt64)
    }

    public enum Reply: Sendable {
        case leaderboard([LeaderboardEntry])
        case stats(MethodStats?)
        case bytes(Int)
        case snapshot(BenchmarkSnapshot)
        /// The window's entries and where it starts on the monotonic clock (ms).
        case hour(startMonotonicMs: UInt64, [String: [BenchmarkHistoryPoint.Entry]])
    }

    public enum Cast: Sendable {
        case record(chain: String, key: MetricKey, latencyMicros: UInt64, succeeded: Bool)
        /// Samples in the order their attempts finished (the pipeline's batch per loop turn).
        case recordAll([BenchmarkSample])
        /// Forget a chain that was removed from the configuration.
        case removeChain(String)
        /// Seeds the store from a persisted snapshot; ignored once anything was recorded or
        /// seeded, so a restarted `BenchmarkPersistence` cannot count its file twice.
        case seed(BenchmarkSnapshot)
    }

    public enum Info: Sendable {
        case publish
        case prune
    }

    let directory: ChainDirectory
    let chains: @Sendable () -> [String]
    let publishInterval: Duration
    let handle: BenchmarkStoreHandle?
    private var store = BenchmarkStore()
    private var hasData = false

    /// - Parameters:
    ///   - chains: the configured chain keys, read at each publication (they change on reload).
    ///   - handle: where this incarnation publishes its reference when it starts.
    public init(directory: ChainDirectory, chains: @escaping @Sendable () -> [String],
                publishInterval: Duration = .seconds(1), handle: BenchmarkStoreHandle? = nil) {
        self.directory = directory
        self.chains = chains
        self.publishInterval = publishInterval
        self.handle = handle
    }

    /// The child spec; each incarnation registers in `names` (`names.benchmarkStore`, for the
    /// status commands and persistence) and publishes itself in `handle` (for the request path).
    public static func childSpec(directory: ChainDirectory, chains: @escaping @Sendable () -> [String], names: ProcessNames,
                                 publishInterval: Duration = .seconds(1), handle: BenchmarkStoreHandle? = nil) -> ChildSpec {
        ChildSpec(id: "BenchmarkStore", name: names.name("BenchmarkStore")) { runtime in
            try await ServerRef.start(label: "BenchmarkStore", runtime: runtime) {
                BenchmarkStoreServer(directory: directory, chains: chains, publishInterval: publishInterval, handle: handle)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        handle?.publish(context.ref)
        context.sendAfter(.publish, after: publishInterval)
        context.sendAfter(.prune, after: .seconds(3600))
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Reply {
        let now = Self.now(context)
        switch request {
        case .leaderboard(let chain): return .leaderboard(store.leaderboard(chain: chain, now: now))
        case .stats(let chain, let key): return .stats(store.stats(chain: chain, key: key, now: now))
        case .memoryBytes(let chain): return .bytes(store.approximateMemoryBytes(chain: chain))
        case .snapshot(let chains): return .snapshot(store.snapshot(chains: chains, now: now))
        case .hour(let chains, let hoursAgo):
            let current = BenchmarkStore.hourNumber(of: now)
            let hour = current >= hoursAgo ? current - hoursAgo : 0
            return .hour(startMonotonicMs: hour * ChainBenchmarks.millisecondsPerHour, store.hour(hour, chains: chains))
        }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .record(let chain, let key, let latencyMicros, let succeeded):
            hasData = true
            _ = store.record(chain: chain, key: key, latencyMicros: latencyMicros, succeeded: succeeded,
                             at: Self.now(context))
        case .recordAll(let samples):
            hasData = true
            for sample in samples {
                _ = store.record(chain: sample.chain, key: sample.key, latencyMicros: sample.latencyMicros,
                                 succeeded: sample.succeeded, at: sample.at)
            }
        case .removeChain(let chain):
            store.removeChain(chain)
        case .seed(let snapshot):
            guard !hasData else { return }
            hasData = true
            store.seed(snapshot, now: Self.now(context))
        }
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        let now = Self.now(context)
        switch message {
        case .publish:
            for (chain, board) in directory.running(among: chains()) {
                board.publish(performance: store.selectionPerformance(chain: chain, now: now))
            }
            context.sendAfter(.publish, after: publishInterval)
        case .prune:
            _ = store.prune(now: now)
            context.sendAfter(.prune, after: .seconds(3600))
        }
    }

    static func now(_ context: ServerContext<Self>) -> RuntimeInstant {
        context.runtime.clock.now()
    }
}

extension ProcessNames {
    /// The application's benchmark store, if it runs.
    public var benchmarkStore: ServerRef<BenchmarkStoreServer>? { server("BenchmarkStore", as: BenchmarkStoreServer.self) }
}
