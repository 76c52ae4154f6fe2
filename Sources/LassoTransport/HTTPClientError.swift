/// Why an upstream HTTP request failed. Each case names the upstream by `host:port` only (never
/// its path or query, which may hold an API key).
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not `http://` or `https://` with a host.
    case invalidURL
    /// The host name did not resolve.
    case dnsFailure(host: String)
    /// TCP connect failed (refused, unreachable).
    case connectionRefused(address: String)
    /// The TLS handshake failed (certificate not trusted, name mismatch, protocol error).
    case tlsFailure(address: String)
    /// No complete response within the request's deadline.
    case timeout(address: String)
    /// The upstream answered with a non-2xx status; its body (and `Retry-After`, if sent) are
    /// kept for error classification and rate-limit cooldowns.
    case badStatus(status: Int, body: [UInt8], retryAfter: String? = nil)
    /// The connection closed before the announced body length arrived.
    case truncatedBody(address: String)
    /// The response body exceeded the client's `maxResponseBytes`.
    case responseTooLarge(address: String, limit: Int)
    /// The upstream's response broke HTTP/1.1 (a malformed head or chunk, an unexpected
    /// upgrade).
    case malformedResponse(address: String)
    /// The connection closed before a response head arrived.
    case connectionClosed(address: String)
    /// The client was shut down (`HTTPClient.shutdown`) before the request finished, or the
    /// request was made after it.
    case clientClosed(address: String)
    /// The event loop stopped before the request finished.
    case loopStopped

    /// A message naming the upstream by `host:port` only.
    public var description: String {
        switch self {
        case .invalidURL: "invalid upstream URL"
        case .dnsFailure(let host): "DNS lookup failed for \(host)"
        case .connectionRefused(let address): "connection refused by \(address)"
        case .tlsFailure(let address): "TLS handshake with \(address) failed"
        case .timeout(let address): "request to \(address) timed out"
        case .badStatus(let status, let body, _): "upstream answered HTTP \(status) (\(body.count) bytes)"
        case .truncatedBody(let address): "response from \(address) was truncated"
        case .responseTooLarge(let address, let limit): "response from \(address) exceeded \(limit) bytes"
        case .malformedResponse(let address): "malformed response from \(address)"
        case .connectionClosed(let address): "connection to \(address) closed before a response"
        case .clientClosed(let address): "HTTP client closed with a request to \(address) unfinished"
        case .loopStopped: "event loop stopped"
        }
    }
}
