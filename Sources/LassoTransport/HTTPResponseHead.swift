/// The head of one HTTP/1.x response as a client reads it.
///
/// ```swift
/// let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8)
/// let head = try bytes.withUnsafeBytes { try HTTPResponseHead.parse($0) }
/// // head.status 200, head.framing .length(5), head.keepAlive true
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct HTTPResponseHead {
    var status: Int
    var minorVersion: Int
    var fields: HTTPFields
    var framing: HTTPBodyFraming
    /// The server keeps the connection open after this response.
    var keepAlive: Bool

    /// Parses a complete head. `requestWasHead` is false for every request this client makes.
    static func parse(_ head: UnsafeRawBufferPointer, maxFields: Int = 100) throws(HTTPParseError) -> HTTPResponseHead {
        // "HTTP/1.x" SP 3DIGIT [SP reason] CRLF
        // "HTTP/1." compared byte by byte: this runs for every upstream response.
        guard head.count >= 14, head[0] == 0x48, head[1] == 0x54, head[2] == 0x54, head[3] == 0x50, head[4] == 0x2F,
              head[5] == 0x31, head[6] == 0x2E,
              (0x30...0x39).contains(head[7]), head[8] == 0x20,
              head[9...11].allSatisfy({ (0x30...0x39).contains($0) }),
              head[12] == 0x20 || head[12] == 0x0D else {
            throw .badRequest("malformed status line")
        }
        guard let lineEnd = head.firstIndex(of: 0x0D), lineEnd + 1 < head.count, head[lineEnd + 1] == 0x0A else {
            throw .badRequest("malformed status line")
        }
        let status = Int(head[9] - 0x30) * 100 + Int(head[10] - 0x30) * 10 + Int(head[11] - 0x30)
        let minor = head[7] == 0x30 ? 0 : 1
        let fields = try HTTPFields.parse(UnsafeRawBufferPointer(rebasing: head[(lineEnd + 2)..<(head.count - 2)]), limit: maxFields)
        let tokens = fields["connection"].map { $0.lowercased().split(separator: ",").map { $0.trimmingWhitespace() } } ?? []
        var keepAlive = minor >= 1 ? !tokens.contains("close") : tokens.contains("keep-alive")
        let framing: HTTPBodyFraming
        if (100..<200).contains(status) || status == 204 || status == 304 {
            framing = .none
        } else if let coding = fields["transfer-encoding"] {
            guard coding.lowercased() == "chunked" else { throw .notImplemented("transfer coding") }
            framing = .chunked
        } else if let length = try contentLength(fields) {
            framing = length == 0 ? .none : .length(length)
        } else {
            framing = .untilClose
            keepAlive = false
        }
        return HTTPResponseHead(status: status, minorVersion: minor, fields: fields, framing: framing, keepAlive: keepAlive)
    }

    /// The announced body length; nil when there is none. Repeats (in one field as a list, or in
    /// several fields) must agree.
    private static func contentLength(_ fields: HTTPFields) throws(HTTPParseError) -> Int? {
        let values = fields.values(of: "content-length")
        guard let first = values.first else { return nil }
        if values.count == 1, let length = digits(Substring(first)) { return length }
        let all = values.flatMap { $0.split(separator: ",").map { $0.trimmingWhitespace() } }
        guard let only = all.first, all.allSatisfy({ $0 == only }), let length = digits(only) else {
            throw .badRequest("invalid Content-Length")
        }
        return length
    }

    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }
}
