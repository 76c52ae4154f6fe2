/// Why a route names nowhere requests can go: each adapter answers it for its transport (an
/// HTTP 404, a WebSocket closed with 4004), with the same `message`.
public enum RPCRouteError: Error, Sendable, Equatable {
    /// No configured chain has this key or chain id.
    case unknownChain(String)
    /// The pinned provider is not one of the chain's.
    case unknownProvider(chain: String, provider: String)

    /// What the client is told; the names the client sent are cut to 100 characters.
    public var message: String {
        switch self {
        case .unknownChain(let chain): "unknown chain: \(chain.prefix(100))"
        case .unknownProvider(let chain, let provider): "unknown provider \(provider.prefix(100)) on chain \(chain)"
        }
    }
}
