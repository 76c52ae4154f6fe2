/// A successful (2xx) upstream response.
public struct HTTPClientResponse: Sendable, Equatable {
    /// The status code (200–299).
    public var status: Int
    /// The complete body, exactly as received.
    public var body: [UInt8]

    /// A response with `status` and `body`.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
