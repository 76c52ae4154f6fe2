/// What `BenchmarkStore` measures separately within one chain: a provider's method over one
/// transport.
public struct MetricKey: Hashable, Sendable {
    /// The provider's configured id.
    public var providerID: String
    /// The JSON-RPC method.
    public var method: String
    /// The transport the attempt used.
    public var transport: TransportKind

    /// The key for `method` sent to `providerID` over `transport`.
    public init(providerID: String, method: String, transport: TransportKind) {
        self.providerID = providerID
        self.method = method
        self.transport = transport
    }

    /// The channel this key measures.
    public var channel: Channel { Channel(providerID: providerID, transport: transport) }
}
