/// A complete HTTP response: the server sends status line, headers and body in one write.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The `content-type` header value.
    public var contentType: String
    /// Additional headers, in order; names without the trailing colon.
    public var headers: [(name: String, value: String)]
    /// The body; `content-length` is always sent (except for 1xx, 204 and 304, which have no
    /// body), so keep-alive works.
    public var body: [UInt8]
    /// Close the connection after this response (used after protocol errors).
    public var closeConnection: Bool

    /// A response; `content-length` is derived from `body`.
    public init(status: Int, contentType: String = "application/json", headers: [(name: String, value: String)] = [],
                body: [UInt8], closeConnection: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: body)
    }

    /// A JSON response from an already-encoded string.
    public static func json(_ body: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(body.utf8))
    }

    /// A plain-text response.
    public static func text(_ body: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }
}
