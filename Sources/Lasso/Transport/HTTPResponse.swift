/// A complete HTTP response: the server sends status line, headers and body in one write.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The `content-type` header value.
    public var contentType: String
    /// Additional headers, in order; names without the trailing colon.
    public var headers: [(name: String, value: String)]
    /// The body; `content-length` is always sent, so keep-alive works.
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

    /// A JSON-RPC error object with a null id, for failures that happen before the request's id
    /// is known: `{"jsonrpc":"2.0","id":null,"error":{"code":…,"message":"…"}}`.
    public static func jsonRPCError(status: Int, code: Int, message: String, closeConnection: Bool = false) -> HTTPResponse {
        let body = #"{"jsonrpc":"2.0","id":null,"error":{"code":\#(code),"message":"\#(jsonEscaped(message))"}}"#
        return HTTPResponse(status: status, body: Array(body.utf8), closeConnection: closeConnection)
    }

    /// Escapes `text` for use inside a JSON string literal.
    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
