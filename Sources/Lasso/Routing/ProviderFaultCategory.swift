/// Why an attempt failed on the provider's side. Every provider fault fails over to the next
/// candidate; only some say the provider is unhealthy and count against its breaker.
/// Raw values are the labels used in metrics and logs.
public enum ProviderFaultCategory: String, Equatable, Sendable, CaseIterable {
    /// TCP connection refused.
    case connectionRefused = "connection_refused"
    /// TCP connection failed otherwise.
    case connectFailed = "connect_failed"
    /// Host name did not resolve.
    case dns
    /// TLS handshake or certificate failure.
    case tls
    /// No answer in time (transport timeout, HTTP 408, or a timeout message from the node).
    case timeout
    /// Connection closed mid-response.
    case connectionClosed = "connection_closed"
    /// Response cut short.
    case truncated
    /// A body that is not a JSON-RPC response, or an unexpected HTTP status (3xx, 404, …).
    case invalidResponse = "invalid_response"
    /// HTTP 5xx without a more specific JSON-RPC error.
    case httpServerError = "http_5xx"
    /// HTTP 401/403 or an auth message: a bad or revoked API key.
    case unauthorized
    /// JSON-RPC -32603.
    case internalError = "internal_error"
    /// A transient server condition the provider reported ("try again", -32002, …).
    case serverError = "server_error"
    /// JSON-RPC -32005 without rate-limit wording: a provider-side limit on this request.
    case limitExceeded = "limit_exceeded"
    /// The node lacks the requested block yet ("header not found", "unknown block", -32001).
    case blockUnavailable = "block_unavailable"
    /// The node says it is syncing.
    case unsynced
    /// This provider does not serve this method (-32601, "method not supported", …).
    case methodUnsupported = "method_unsupported"
    /// This provider will not serve this request's size or history (block range, result size,
    /// pruned state such as "missing trie node").
    case capability
    /// lassod dropped the attempt (its own upstream client or connection process restarted).
    case abandoned
    /// The reply was larger than lassod accepts from an upstream: the request asked for that
    /// much (a wide `eth_getLogs`, a huge echoed method name), so any provider would answer
    /// as large.
    case responseTooLarge = "response_too_large"

    /// Whether this fault says the provider is unhealthy. Faults about one request's shape or
    /// one method (unsupported method, a range or archive limit, a block not there yet, a
    /// request limit, a reply too large for lassod) fail over but must not open a breaker that
    /// serves every other request: otherwise one client asking for oversized replies could
    /// switch a provider off for everyone. Nor must lassod's own restarts (`abandoned`), which
    /// would otherwise open the breaker of every busy provider at once.
    public var countsAgainstBreaker: Bool {
        switch self {
        case .limitExceeded, .blockUnavailable, .methodUnsupported, .capability, .abandoned, .responseTooLarge:
            false
        default:
            true
        }
    }
}
