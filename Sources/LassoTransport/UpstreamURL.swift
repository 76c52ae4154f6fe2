/// A parsed `http(s)://` or `ws(s)://` upstream address.
///
/// Provider URLs often carry an API key in the path or query, so ``description`` (and every
/// error built from an upstream) shows `host:port` only.
public struct UpstreamURL: Sendable, Hashable, CustomStringConvertible {
    /// True for `https` and `wss`.
    public let isSecure: Bool
    /// True for `ws` and `wss`.
    public let isWebSocket: Bool
    /// Host name or IP literal (IPv6 without brackets).
    public let host: String
    /// Port, defaulted from the scheme.
    public let port: Int
    /// Path plus `?query`, at least `/`. Secret-bearing: never log it.
    public let pathAndQuery: String
    /// The `Host` header value: the port only when it is not the scheme's default.
    let hostHeader: String
    /// The host is an IP literal: no lookup needed (decided once, not per request).
    let hostIsAddress: Bool
    /// The start of every POST to this URL, request line and `host` field, as bytes: built once
    /// here instead of on every request.
    let postPrefix: [UInt8]

    /// Parses `text`; nil when the scheme is not http, https, ws or wss or the host is missing.
    public init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        switch text[..<schemeEnd.lowerBound].lowercased() {
        case "http": (isSecure, isWebSocket) = (false, false)
        case "https": (isSecure, isWebSocket) = (true, false)
        case "ws": (isSecure, isWebSocket) = (false, true)
        case "wss": (isSecure, isWebSocket) = (true, true)
        default: return nil
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let path = rest[authorityEnd...]
        pathAndQuery = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
        let defaultPort = isSecure ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let port = Int(after.dropFirst()), (1...65535).contains(port) else { return nil }
                self.port = port
            } else {
                port = defaultPort
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty, !host.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
              !pathAndQuery.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        hostIsAddress = SocketAddress.isIPLiteral(host)
        let bracketed = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        hostHeader = port == (isSecure ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
        postPrefix = Array("POST \(pathAndQuery) HTTP/1.1\r\nhost: \(hostHeader)\r\n".utf8)
    }

    /// `host:port`, safe to log.
    public var description: String { host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func == (lhs: UpstreamURL, rhs: UpstreamURL) -> Bool {
        lhs.isSecure == rhs.isSecure && lhs.isWebSocket == rhs.isWebSocket && lhs.host == rhs.host
            && lhs.port == rhs.port && lhs.pathAndQuery == rhs.pathAndQuery
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(pathAndQuery)
        hasher.combine(isSecure)
        hasher.combine(isWebSocket)
    }
}
