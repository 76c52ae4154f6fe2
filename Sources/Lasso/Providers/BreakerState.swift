/// One channel's breaker and its phase: which breaker (chain, provider, transport) and the
/// phase it is in. `/metrics` shows one per channel; `lassod ctl breaker` replies with one
/// after the operation, as JSON with these four field names (docs/admin-protocol.md).
public struct BreakerState: Sendable, Codable, Equatable {
    /// The chain key.
    public var chain: String
    /// The provider id.
    public var provider: String
    /// Which of the provider's breakers.
    public var transport: TransportKind
    /// Its phase.
    public var phase: BreakerPhase

    /// A state as given.
    public init(chain: String, provider: String, transport: TransportKind, phase: BreakerPhase) {
        self.chain = chain
        self.provider = provider
        self.transport = transport
        self.phase = phase
    }
}
