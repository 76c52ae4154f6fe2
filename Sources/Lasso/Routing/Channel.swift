/// One way to reach one provider: the unit `Selection` orders and `RequestPipeline` tries.
/// A provider with a `ws_url` has two channels, one without has only `http`.
public struct Channel: Hashable, Sendable, CustomStringConvertible {
    /// The provider's configured `id` (never its URL, which may carry an API key).
    public var providerID: String
    /// How the request travels.
    public var transport: TransportKind

    /// The channel reaching `providerID` over `transport`.
    public init(providerID: String, transport: TransportKind) {
        self.providerID = providerID
        self.transport = transport
    }

    /// `<providerID>/<transport>`, e.g. `ethereum_ankr/ws`, for logs and metrics labels.
    public var description: String { "\(providerID)/\(transport.rawValue)" }
}
