/// One provider's status as lassod shows it (`GET /api/chains/:chain/status`, `lassod ctl status`,
/// the dashboard). Two processes know parts of it: the `ProviderPool` fills its health
/// (availability, head, lag, failures) and `ChainStatus.gather` adds the breakers from the chain's
/// board and the measurements from the benchmark store. Names the provider by id only: never its
/// URL, which may carry an API key.
public struct ProviderStatus: Sendable, Codable, Equatable {
    public var id: String
    public var availability: ProviderAvailability
    /// The latest block it reported.
    public var head: UInt64?
    /// Blocks behind the best head any provider of the chain reported.
    public var lag: UInt64?
    public var consecutiveFailures: Int
    /// The category of its last failure (`provider.timeout`, `provider.http_5xx`, …).
    public var lastError: String?
    /// When the pool last probed it, on the runtime clock, in milliseconds. Not shown: an instant
    /// of this process's monotonic clock means nothing outside it.
    public var lastProbeMs: UInt64? = nil

    /// Breaker phase per transport the provider has (`closed`, `half_open`, `open`, `forced_open`).
    public var breakers: [String: String] = [:]
    /// Whether a channel is in a rate-limit cooldown now.
    public var coolingDown = false
    /// From the benchmark store; `nil` before any measurement.
    public var score: Double? = nil
    public var successRate: Double? = nil
    public var p50Ms: Double? = nil
    public var p95Ms: Double? = nil
    /// The attempts the benchmark store counted.
    public var calls: UInt64? = nil

    enum CodingKeys: String, CodingKey {
        case id, availability, head, lag, breakers, score, calls
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
        case coolingDown = "cooling_down"
        case successRate = "success_rate"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
    }
}

extension ProviderStatus {
    /// A provider nothing is known of yet: its chain is not running, or the pool has no record.
    init(unknown id: String) {
        self.init(id: id, availability: .unknown, head: nil, lag: nil, consecutiveFailures: 0, lastError: nil)
    }
}
