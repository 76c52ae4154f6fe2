/// What a ``WebSocketClient`` reports, in order, on its loop thread.
public enum WebSocketClientEvent: Sendable, Equatable {
    /// The handshake completed; sends are accepted from now on.
    case connected
    /// A complete message from the upstream.
    case message(WebSocketMessage)
    /// The connection ended (or never came up); a reconnect follows unless the client was closed.
    case disconnected(WebSocketClientDisconnect)
    /// Attempt `attempt` will start after `delay`.
    case reconnecting(attempt: Int, delay: Duration)
    /// ``WebSocketClient/close(code:)`` was called or the loop stopped; nothing follows.
    case closed
}
