/// What a ``WebSocketClient`` reports, in order, on its loop thread.
public enum WebSocketClientEvent: Sendable, Equatable {
    /// The handshake completed; sends are accepted from now on.
    case connected
    /// A complete message from the upstream.
    case message(WebSocketMessage)
    /// The connection ended (or never came up); a reconnect follows unless the client was closed.
    case disconnected(WebSocketClientDisconnect)
    /// Attempt `attempt` will start after `delay` seconds.
    case reconnecting(attempt: Int, delay: Double)
    /// ``WebSocketClient/close(code:)`` was called or the loop stopped; nothing follows.
    case closed
}

/// Why a ``WebSocketClient`` connection ended.
public enum WebSocketClientDisconnect: Sendable, Equatable {
    /// The host name did not resolve.
    case dnsFailure
    /// TCP, TLS or the upgrade failed; the address is `host:port`.
    case connectFailed(address: String)
    /// The upstream closed with this code (1006 when the socket just dropped).
    case closed(WebSocketCloseCode)
    /// No data frame arrived for the configured silence timeout.
    case silent
    /// A message exceeded the size cap (the client closed with 1009).
    case messageTooBig
}
