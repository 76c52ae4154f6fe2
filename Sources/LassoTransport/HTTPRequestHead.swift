/// The head of one HTTP/1.x request, parsed and checked, with what the server needs to read
/// its body and answer it.
///
/// ```swift
/// let bytes = Array("POST /rpc?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n".utf8)
/// let head = try bytes.withUnsafeBytes { try HTTPRequestHead.parse($0) }
/// // head.method .post, head.path "/rpc", head.query "x=1", head.framing .length(2), head.keepAlive true
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct HTTPRequestHead {
    var method: HTTPMethod
    /// The percent-decoded path with dot segments resolved (`*` for `OPTIONS *`).
    var path: String
    /// The query without `?` (empty when there is none).
    var query: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    var fields: HTTPFields
    var framing: HTTPBodyFraming
    /// The client allows the connection to stay open after the response.
    var keepAlive: Bool
    /// `Expect: 100-continue`: the client waits for an interim response before the body.
    var expectsContinue: Bool
    /// A WebSocket opening handshake (`Upgrade: websocket` with `Connection: upgrade`).
    var isWebSocketUpgrade: Bool

    /// Parses a complete head (request line, fields, final empty line).
    static func parse(_ head: UnsafeRawBufferPointer, maxFields: Int = 100) throws(HTTPParseError) -> HTTPRequestHead {
        guard let lineEnd = Self.indexOfCRLF(head) else { throw .badRequest("malformed request line") }
        let line = UnsafeRawBufferPointer(rebasing: head[0..<lineEnd])
        // method SP request-target SP HTTP-version, single spaces (RFC 9112 §3).
        guard let firstSpace = line.firstIndex(of: 0x20),
              let lastSpace = line.lastIndex(of: 0x20), lastSpace > firstSpace + 1 else {
            throw .badRequest("malformed request line")
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: line[0..<firstSpace])
        let targetBytes = UnsafeRawBufferPointer(rebasing: line[(firstSpace + 1)..<lastSpace])
        let versionBytes = UnsafeRawBufferPointer(rebasing: line[(lastSpace + 1)...])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPFields.isTokenByte) else { throw .badRequest("malformed method") }
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw .badRequest("malformed request target") }
        let minor = try Self.minorVersion(versionBytes)
        guard let method = HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self)) else {
            throw .notImplemented("method")
        }
        let fieldBytes = UnsafeRawBufferPointer(rebasing: head[(lineEnd + 2)..<(head.count - 2)])
        let fields = try HTTPFields.parse(fieldBytes, limit: maxFields)
        let (path, query) = try Self.target(targetBytes, method: method)
        var request = HTTPRequestHead(method: method, path: path, query: query, minorVersion: minor, fields: fields,
                                      framing: .none, keepAlive: true, expectsContinue: false, isWebSocketUpgrade: false)
        try request.applySemantics()
        return request
    }

    /// Host, framing, persistence, expectations and upgrades from the fields (RFC 9112 §6, §9).
    private mutating func applySemantics() throws(HTTPParseError) {
        let hosts = fields.count(of: "host")
        if minorVersion >= 1, hosts != 1 { throw .badRequest(hosts == 0 ? "missing Host header" : "more than one Host header") }
        if hosts > 1 { throw .badRequest("more than one Host header") }

        let lengths = fields.values(of: "content-length")
        if let coding = fields["transfer-encoding"] {
            // Both framings at once is how requests are smuggled past a proxy: refuse, and the
            // server closes the connection.
            guard lengths.isEmpty else { throw .badRequest("both Transfer-Encoding and Content-Length") }
            guard minorVersion >= 1 else { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            guard coding.lowercased() == "chunked" else { throw .notImplemented("transfer coding") }
            framing = .chunked
        } else if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), let length = Self.contentLength(first) else {
                throw .badRequest("invalid Content-Length")
            }
            framing = length == 0 ? .none : .length(length)
        }

        // Most requests send no Connection field: no tokens to split then.
        let tokens = fields["connection"].map { $0.lowercased().split(separator: ",").map { $0.trimmingWhitespace() } } ?? []
        keepAlive = minorVersion >= 1 ? !tokens.contains("close") : tokens.contains("keep-alive")

        if let expectation = fields["expect"] {
            guard expectation.lowercased() == "100-continue" else { throw .expectationFailed }
            expectsContinue = minorVersion >= 1 && framing != .none
        }

        isWebSocketUpgrade = method == .get && tokens.contains("upgrade")
            && fields.contains(token: "websocket", in: "upgrade")
    }

    private static func minorVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        // "HTTP/" DIGIT "." DIGIT
        guard bytes.count == 8, bytes[0] == 0x48, bytes[1] == 0x54, bytes[2] == 0x54, bytes[3] == 0x50, bytes[4] == 0x2F,
              bytes[6] == 0x2E,
              (0x30...0x39).contains(bytes[5]), (0x30...0x39).contains(bytes[7]) else {
            throw .badRequest("malformed HTTP version")
        }
        guard bytes[5] == 0x31 else { throw .versionNotSupported }
        return bytes[7] == 0x30 ? 0 : 1
    }

    private static func contentLength(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    private static func indexOfCRLF(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D { return bytes[index + 1] == 0x0A ? index : nil }
            if bytes[index] == 0x0A { return nil }
            index += 1
        }
        return nil
    }

    /// Splits the request target into a decoded, normalised path and the raw query.
    private static func target(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod) throws(HTTPParseError) -> (String, String) {
        if bytes.count == 1, bytes[0] == 0x2A {
            guard method == .options else { throw .badRequest("malformed request target") }
            return ("*", "")
        }
        var start = 0
        if bytes.first != 0x2F {
            // absolute-form: scheme "://" authority path-abempty [ "?" query ]
            let text = String(decoding: bytes, as: UTF8.self).lowercased()
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else { throw .badRequest("malformed request target") }
            let afterScheme = text.hasPrefix("http://") ? 7 : 8
            guard let slash = bytes[afterScheme...].firstIndex(where: { $0 == 0x2F || $0 == 0x3F }) else {
                return ("/", "")
            }
            start = slash
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        let questionMark = rest.firstIndex(of: 0x3F)
        let pathBytes = UnsafeRawBufferPointer(rebasing: rest[..<(questionMark ?? rest.count)])
        let query = questionMark.map { String(decoding: rest[($0 + 1)...], as: UTF8.self) } ?? ""
        guard !pathBytes.contains(0x23) else { throw .badRequest("fragment in request target") }
        return (try normalisedPath(pathBytes), query)
    }

    /// Percent-decodes `bytes` and resolves `.` and `..` segments (never above the root).
    private static func normalisedPath(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> String {
        if bytes.isEmpty { return "/" }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        var simple = true
        while index < bytes.count {
            var byte = bytes[index]
            if byte == 0x25 {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                    throw .badRequest("malformed percent-encoding")
                }
                byte = high << 4 | low
                guard byte != 0 else { throw .badRequest("NUL in path") }
                index += 2
            }
            if byte == 0x2E { simple = false }
            decoded.append(byte)
            index += 1
        }
        guard decoded.first == 0x2F else { throw .badRequest("malformed request target") }
        if simple { return String(decoding: decoded, as: UTF8.self) }
        var segments: [ArraySlice<UInt8>] = []
        for segment in decoded.dropFirst().split(separator: 0x2F, omittingEmptySubsequences: false) {
            if segment.elementsEqual([0x2E]) { continue }
            if segment.elementsEqual([0x2E, 0x2E]) {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var result: [UInt8] = [0x2F]
        for (position, segment) in segments.enumerated() {
            if position > 0 { result.append(0x2F) }
            result.append(contentsOf: segment)
        }
        // "/a/." and "/a/.." keep their trailing slash.
        if let last = decoded.split(separator: 0x2F, omittingEmptySubsequences: false).last,
           last.elementsEqual([0x2E]) || last.elementsEqual([0x2E, 0x2E]), result.last != 0x2F {
            result.append(0x2F)
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
