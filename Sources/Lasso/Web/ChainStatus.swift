import Supervision

/// One chain's live status: what `GET /api/chains/:chain/status` and `lassod ctl status` show.
/// Providers are named by id; no URL ever appears.
public struct ChainStatus: Sendable, Codable, Equatable {
    public struct Provider: Sendable, Codable, Equatable {
        public var id: String
        public var availability: ProviderAvailability
        public var head: UInt64?
        public var lag: UInt64?
        public var consecutiveFailures: Int
        public var lastError: String?
        /// Breaker phase per transport the provider has (`closed`, `half_open`, `open`, `forced_open`).
        public var breakers: [String: String]
        /// Whether a channel is in a rate-limit cooldown now.
        public var coolingDown: Bool
        /// From the benchmark store; `nil` before any measurement.
        public var score: Double?
        public var successRate: Double?
        public var p50Ms: Double?
        /// From the benchmark store too: the 95th percentile latency and the attempts counted.
        public var p95Ms: Double? = nil
        public var calls: UInt64? = nil

        enum CodingKeys: String, CodingKey {
            case id, availability, head, lag, breakers, score
            case consecutiveFailures = "consecutive_failures"
            case lastError = "last_error"
            case coolingDown = "cooling_down"
            case successRate = "success_rate"
            case p50Ms = "p50_ms"
            case p95Ms = "p95_ms"
            case calls
        }
    }

    public var chain: String
    public var chainId: Int
    public var running: Bool
    public var bestHead: UInt64?
    public var providers: [Provider]
    /// The node's region (`server.region`); its measurements are this region's own.
    public var region: String? = nil

    enum CodingKeys: String, CodingKey {
        case chain, running, providers, region
        case chainId = "chain_id"
        case bestHead = "best_head"
    }

    /// Gathers the status from the chain's board, its provider pool and the benchmark store.
    /// A process that does not answer leaves its part empty rather than failing the whole.
    public static func gather(chain: ChainConfig, directory: ChainDirectory, names: ProcessNames,
                              clock: any RuntimeClock) async -> ChainStatus {
        guard let board = directory.board(for: chain.key) else {
            return ChainStatus(chain: chain.key, chainId: chain.chainId, running: false, bestHead: nil,
                               providers: chain.providers.map { provider in
                                   Provider(id: provider.id, availability: .unknown, head: nil, lag: nil,
                                            consecutiveFailures: 0, lastError: nil, breakers: [:], coolingDown: false,
                                            score: nil, successRate: nil, p50Ms: nil)
                               })
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
        let providers = chain.providers.map { provider -> Provider in
            let published = snapshot.providers.first { $0.id == provider.id }
            let pooled = poolStatus.first { $0.id == provider.id }
            let measured = leaderboard.first { $0.providerID == provider.id }
            var breakers: [String: String] = [:]
            var coolingDown = false
            for transport in provider.transports {
                guard let health = published?.health(of: transport) else { continue }
                breakers[transport.rawValue] = health.phase.rawValue
                coolingDown = coolingDown || health.isCoolingDown(at: now)
            }
            return Provider(id: provider.id, availability: pooled?.availability ?? .unknown, head: pooled?.head,
                            lag: pooled?.lag, consecutiveFailures: pooled?.consecutiveFailures ?? 0,
                            lastError: pooled?.lastError, breakers: breakers, coolingDown: coolingDown,
                            score: measured?.score, successRate: measured.map(\.successRate), p50Ms: measured?.p50Ms,
                            p95Ms: measured?.p95Ms, calls: measured?.count)
        }
        return ChainStatus(chain: chain.key, chainId: chain.chainId, running: true, bestHead: snapshot.bestKnownHead,
                           providers: providers)
    }
}
