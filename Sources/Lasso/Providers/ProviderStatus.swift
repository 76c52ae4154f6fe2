/// One provider's health as the `ProviderPool` knows it. Names the provider by id only: never
/// its URL, which may carry an API key.
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
    /// When it was last probed, on the runtime clock, in milliseconds.
    public var lastProbeMs: UInt64?

    enum CodingKeys: String, CodingKey {
        case id, availability, head, lag
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
        case lastProbeMs = "last_probe_ms"
    }
}
