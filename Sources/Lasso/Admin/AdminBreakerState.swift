/// The result of `breaker CHAIN PROVIDER http|ws open|close|reset`: which breaker, and its
/// phase after the operation.
public struct AdminBreakerState: Sendable, Codable, Equatable {
    public var chain: String
    public var provider: String
    public var transport: TransportKind
    public var phase: BreakerPhase

    public init(chain: String, provider: String, transport: TransportKind, phase: BreakerPhase) {
        self.chain = chain
        self.provider = provider
        self.transport = transport
        self.phase = phase
    }
}
