/// A request as the web layer sees it, independent of the socket library underneath.
public struct HTTPExchangeRequest: Sendable {
    public var method: String
    /// The path without the query string.
    public var path: String
    /// Query arguments, decoded.
    public var query: [String: String]
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// The web layer's answer: status, extra headers, body (always sent with a content length).
public struct HTTPExchangeReply: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", headers: [(String, String)] = [],
                body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// 204: a notification (or a batch of them) gets no body.
    public static let noContent = HTTPExchangeReply(status: 204, body: [])

    public static func == (lhs: HTTPExchangeReply, rhs: HTTPExchangeReply) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }
}
