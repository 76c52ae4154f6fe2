/// Why a route names nowhere requests can go: each adapter words it for its transport (an HTTP
/// 404, a WebSocket closed with 4004).
public enum RPCRouteError: Error, Sendable, Equatable {
    /// No configured chain has this key or chain id.
    case unknownChain(String)
    /// The pinned provider is not one of the chain's.
    case unknownProvider(chain: String, provider: String)
}
