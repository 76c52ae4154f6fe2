/// What the serving layer does with one request, decided by the provider's behavior before the
/// request is read (see `SimulatedProviderBehavior.decide(transport:)`).
public enum SimulatedProviderAction: Sendable, Equatable {
    /// Run the request and send the answer after `delayMs`.
    case answer(delayMs: UInt64)
    /// Answer without running it: this HTTP status and a plain-text body.
    case failHTTP(status: Int, body: String)
    /// Answer every request of the body with this JSON-RPC error, with the HTTP `status` (ignored
    /// on WebSocket) and, when set, a `Retry-After` header.
    case failRPC(code: Int, message: String, status: Int, retryAfterSeconds: UInt64?)
    /// Close the connection without answering; `graceful` sends a WebSocket close frame first.
    case closeConnection(graceful: Bool)
    /// Keep the connection open and never answer.
    case noReply
}
