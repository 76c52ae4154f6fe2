/// A reply the serving layer sends after `delayMs`: for HTTP the status, headers and body; for
/// WebSocket the body alone, as one text message (none when the body is empty).
public struct SimulatedResponse: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// Response headers: `Content-Type`, and `Retry-After` for a rate limit.
    public var headers: [String: String]
    /// The body; empty when every request was a notification.
    public var body: [UInt8]
    /// How long to wait before sending (a slow provider's latency).
    public var delayMs: UInt64

    /// Creates a response.
    public init(status: Int, headers: [String: String], body: [UInt8], delayMs: UInt64) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayMs = delayMs
    }

    /// The body as text, for logs and tests.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
