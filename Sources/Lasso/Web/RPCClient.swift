/// Who sent a request, as far as the answer depends on it: how the client reached lassod (for
/// the request's log line) and the routing metadata it asked for.
public struct RPCClient: Sendable {
    /// HTTP POST or a client WebSocket frame.
    public var transport: TransportKind
    /// `?include_meta=` (or `X-Lasso-Include-Meta`); `.none` over a WebSocket.
    public var meta: ClientMetadata.Mode

    public init(transport: TransportKind, meta: ClientMetadata.Mode = .none) {
        self.transport = transport
        self.meta = meta
    }

    /// A client WebSocket: no metadata (a frame has no headers to carry it).
    public static let webSocket = RPCClient(transport: .ws)
}
