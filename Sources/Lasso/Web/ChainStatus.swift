import Supervision

/// One chain's live status: what `GET /api/chains/:chain/status` and `lassod ctl status` show.
/// Providers are named by id; no URL ever appears.
public struct ChainStatus: Sendable, Codable, Equatable {
    /// One subscription key's stream, read from the chain's `SubscriptionTable`.
    public struct Subscription: Sendable, Codable, Equatable {
        /// `newHeads`, or `logs` with its canonical filter (cut to 200 characters).
        public var key: String
        public var kind: String
        /// The provider the stream comes from now; nil while it has none.
        public var provider: String?
        /// `placing`, `live`, `recovering` or `backfilling`.
        public var phase: String
        public var clients: Int
        public var pending: Int
        public var lastBlock: UInt64?
        /// `logs` only: blocks through this one had all their matching logs delivered.
        public var completeThrough: UInt64?
        public var failovers: Int
        public var backfilled: Int
        public var skipped: Int
        public var duplicatesDropped: Int
        public var lastFailover: Failover?

        public struct Failover: Sendable, Codable, Equatable {
            public var reason: String
            public var from: String?
            public var to: String?
            public var durationMs: Int?
            public var backfilled: Int
            public var skipped: Int

            enum CodingKeys: String, CodingKey {
                case reason, from, to, backfilled, skipped
                case durationMs = "duration_ms"
            }
        }

        enum CodingKeys: String, CodingKey {
            case key, kind, provider, phase, clients, pending, failovers, backfilled, skipped
            case lastBlock = "last_block"
            case completeThrough = "complete_through"
            case duplicatesDropped = "duplicates_dropped"
            case lastFailover = "last_failover"
        }

        init(_ status: StreamStatus) {
            key = String(status.key.description.prefix(200))
            kind = status.key.kind.rawValue
            provider = status.provider
            phase = status.phase.rawValue
            clients = status.clients
            pending = status.pending
            lastBlock = status.lastBlock
            completeThrough = status.completeThrough
            failovers = status.counters.failovers
            backfilled = status.counters.backfilled
            skipped = status.counters.skipped
            duplicatesDropped = status.counters.duplicatesDropped
            lastFailover = status.lastFailover.map {
                Failover(reason: $0.reason, from: $0.from, to: $0.to, durationMs: $0.durationMs, backfilled: $0.backfilled,
                         skipped: $0.skipped)
            }
        }
    }

    public var chain: String
    public var chainId: Int
    public var running: Bool
    public var bestHead: UInt64?
    public var providers: [ProviderStatus]
    /// The node's region (`server.region`); its measurements are this region's own.
    public var region: String? = nil
    /// Every subscription key of the chain, sorted by key.
    public var subscriptions: [Subscription] = []

    enum CodingKeys: String, CodingKey {
        case chain, running, providers, region, subscriptions
        case chainId = "chain_id"
        case bestHead = "best_head"
    }

    /// Gathers the status from the chain's board, its provider pool and the benchmark store.
    /// A process that does not answer leaves its part empty rather than failing the whole.
    public static func gather(chain: ChainConfig, directory: ChainDirectory, names: ProcessNames,
                              clock: any RuntimeClock, subscriptions: SubscriptionTables? = nil) async -> ChainStatus {
        var status = await gatherProviders(chain: chain, directory: directory, names: names, clock: clock)
        status.subscriptions = subscriptions?.existing(chain.key)?.statuses().map(Subscription.init) ?? []
        return status
    }

    private static func gatherProviders(chain: ChainConfig, directory: ChainDirectory, names: ProcessNames,
                                        clock: any RuntimeClock) async -> ChainStatus {
        guard let board = directory.board(for: chain.key) else {
            return ChainStatus(chain: chain.key, chainId: chain.chainId, running: false, bestHead: nil,
                               providers: chain.providers.map { ProviderStatus(unknown: $0.id) })
        }
        let snapshot = board.snapshot
        let pool = names.providerPool(chain: chain.key)
        let poolStatus = (try? await pool?.call(.status, timeout: .seconds(2))) ?? []
        let benchmarks = names.benchmarkStore
        var leaderboard: [LeaderboardEntry] = []
        if case .leaderboard(let entries)? = try? await benchmarks?.call(.leaderboard(chain: chain.key), timeout: .seconds(2)) {
            leaderboard = entries
        }
        let now = clock.now()
        let providers = chain.providers.map { provider -> ProviderStatus in
            let published = snapshot.providers.first { $0.id == provider.id }
            let measured = leaderboard.first { $0.providerID == provider.id }
            var status = poolStatus.first { $0.id == provider.id } ?? ProviderStatus(unknown: provider.id)
            for transport in provider.transports {
                guard let health = published?.health(of: transport) else { continue }
                status.breakers[transport.rawValue] = health.phase.rawValue
                status.coolingDown = status.coolingDown || health.isCoolingDown(at: now)
            }
            status.score = measured?.score
            status.successRate = measured.map(\.successRate)
            status.p50Ms = measured?.p50Ms
            status.p95Ms = measured?.p95Ms
            status.calls = measured?.count
            return status
        }
        return ChainStatus(chain: chain.key, chainId: chain.chainId, running: true, bestHead: snapshot.bestKnownHead,
                           providers: providers)
    }
}
