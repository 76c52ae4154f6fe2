/// What one attempt to send a request to one upstream channel produced, reduced to the facts
/// `ErrorClassification` needs. The transport layer builds it; it never carries the body.
public enum UpstreamAttemptOutcome: Equatable, Sendable {
    /// No usable response: the connection, TLS, timing or framing failed.
    case transportFailure(TransportFailure)
    /// A complete response arrived. `httpStatus` is `nil` over WebSocket. `rpcError` is the
    /// JSON-RPC `error` object if the body had one. `retryAfter` is the `Retry-After` header,
    /// already converted (see `ErrorClassification.retryAfter(headerValue:)`).
    case response(httpStatus: Int?, rpcError: UpstreamRPCError?, retryAfter: Duration?)

    /// The ways an attempt can fail below JSON-RPC.
    public enum TransportFailure: String, Equatable, Sendable, CaseIterable {
        /// The provider's host refused the TCP connection.
        case connectionRefused = "connection_refused"
        /// The TCP connection could not be established for another reason (unreachable, reset).
        case connectFailed = "connect_failed"
        /// The provider's host name did not resolve.
        case dnsFailure = "dns"
        /// The TLS handshake or certificate check failed.
        case tlsFailure = "tls"
        /// No complete response within the method's timeout.
        case timeout
        /// The connection closed before a response was complete.
        case connectionClosed = "connection_closed"
        /// The body ended before its declared length, or a frame was cut short.
        case truncated
        /// A complete body that is not a JSON-RPC response.
        case invalidResponse = "invalid_response"
        /// The reply exceeded what lassod accepts from an upstream (its HTTP client's or
        /// WebSocket client's size cap): about the request, whose answer is that large, not
        /// about the provider's health.
        case responseTooLarge = "response_too_large"
        /// lassod gave the attempt up itself: the upstream client or connection process carrying
        /// it was restarted (a crash or a kill drill). Says nothing about the provider.
        case abandoned
    }
}
