/// Reason phrases for the status codes lassod sends.
enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }

    /// `HTTP/1.1 <status> <reason>\r\n` as bytes; the common ones are built once.
    static func statusLine(_ status: Int) -> [UInt8] {
        if let line = statusLines[status] { return line }
        return Array("HTTP/1.1 \(status) \(reason(status))\r\n".utf8)
    }

    private static let statusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for status in [100, 101, 200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 411, 413, 414, 415,
                       417, 426, 429, 431, 500, 501, 502, 503, 504, 505] {
            lines[status] = Array("HTTP/1.1 \(status) \(reason(status))\r\n".utf8)
        }
        return lines
    }()

    /// Statuses whose responses never carry a body or a content length (RFC 9110 §8.6).
    static func forbidsBody(_ status: Int) -> Bool {
        (100..<200).contains(status) || status == 204 || status == 304
    }
}
