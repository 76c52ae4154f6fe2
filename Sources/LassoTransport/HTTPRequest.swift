/// One HTTP request as the server hands it to a route handler: the head and the whole body.
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The URL path, percent-decoded, with `.` and `..` segments resolved.
    public var path: String
    /// The query string without `?`, arguments joined by `&` (empty when there is none).
    public var query: String
    /// The header fields as parsed, in order.
    var fields: HTTPFields
    /// The request body (empty for GET); at most the server's `maxBodyBytes`.
    public var body: [UInt8]

    /// A request; the server builds these, tests and handlers of other transports may too.
    public init(method: HTTPMethod, path: String, query: String = "", headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        fields = HTTPFields(headers)
        self.body = body
    }

    /// The value of query argument `name` (`?name=value`), or nil.
    public func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// Header values by lower-case name (no trailing colon); repeated fields joined with ", ".
    public var headers: [String: String] { fields.dictionary }

    /// The value of header `name`, case-insensitively (a lower-case name is looked up as is).
    public func header(_ name: String) -> String? {
        fields[name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? name.lowercased() : name]
    }

    /// A request with fields already parsed (the server's own).
    init(method: HTTPMethod, path: String, query: String, fields: HTTPFields, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.fields = fields
        self.body = body
    }
}
