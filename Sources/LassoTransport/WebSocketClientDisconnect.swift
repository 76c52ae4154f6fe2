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
