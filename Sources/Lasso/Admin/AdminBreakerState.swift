/// The result of `breaker CHAIN PROVIDER http|ws open|close|reset`: which breaker, and its
/// phase after the operation.
public struct AdminBreakerState: Sendable, Codable, Equatable {
    /// The chain key.
    public var chain: String
    /// The provider id.
    public var provider: String
    /// Which of the provider's breakers.
    public var transport: TransportKind
    /// Its phase after the operation.
    public var phase: BreakerPhase

    /// A result as given.
    public init(chain: String, provider: String, transport: TransportKind, phase: BreakerPhase) {
        self.chain = chain
        self.provider = provider
        self.transport = transport
        self.phase = phase
    }
}
