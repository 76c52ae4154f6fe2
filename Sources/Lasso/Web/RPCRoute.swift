/// Where JSON-RPC requests go: which chain, which strategy, which pinned provider — parsed
/// from the path of a `POST /rpc/…` request or of a client WebSocket.
///
/// - `/rpc/:chain` (a chain name or its numeric chain id) with the default strategy;
/// - `/rpc/:strategy/:chain` with `fastest`, `cheapest`, `priority` or `round-robin`;
/// - `/rpc/provider/:provider_id/:chain`: one provider, no failover;
/// - `/ws/rpc/…`: a client WebSocket, each of the three shapes above behind `/ws`.
///
/// Empty segments are skipped (`/rpc//ethereum/` is `/rpc/ethereum`).
public struct RPCRoute: Sendable, Equatable {
    public var chain: String
    public var strategy: SelectionStrategy?
    public var pinnedProvider: String?

    /// Why a path names no route, for an adapter that words it precisely (a WebSocket's close
    /// message); HTTP answers both with `no such endpoint`.
    enum Mismatch: Error, Equatable {
        /// None of the three shapes.
        case noRoute
        /// `/rpc/:strategy/:chain` with a strategy that is none of the four.
        case unknownStrategy(String)
    }

    /// Parses an HTTP request's path; `nil` when it is not one of the three `/rpc/…` shapes.
    public static func parse(path: String) -> RPCRoute? {
        try? match(path: path).get()
    }

    /// Parses a client WebSocket's path: `/ws` followed by what `parse(path:)` accepts.
    public static func parse(webSocketPath path: String) -> RPCRoute? {
        try? match(webSocketPath: path).get()
    }

    /// `parse(path:)`, or why the path names no route.
    static func match(path: String) -> Result<RPCRoute, Mismatch> {
        guard let parts = segments(of: path, atMost: 4), parts.count >= 2, parts[0].elementsEqual("rpc".utf8) else {
            return .failure(.noRoute)
        }
        switch parts.count {
        case 2:
            return .success(RPCRoute(chain: text(parts[1])))
        case 3:
            guard let strategy = SelectionStrategy(name: text(parts[1])) else {
                return .failure(.unknownStrategy(text(parts[1])))
            }
            return .success(RPCRoute(chain: text(parts[2]), strategy: strategy))
        case 4 where parts[1].elementsEqual("provider".utf8):
            return .success(RPCRoute(chain: text(parts[3]), pinnedProvider: text(parts[2])))
        default:
            return .failure(.noRoute)
        }
    }

    /// `parse(webSocketPath:)`, or why the path names no route: the HTTP rules on the path
    /// after its leading `ws` segment, so both transports accept the same routes.
    static func match(webSocketPath path: String) -> Result<RPCRoute, Mismatch> {
        let utf8 = path.utf8
        guard let first = utf8.firstIndex(where: { $0 != UInt8(ascii: "/") }),
              utf8[first...].starts(with: "ws/".utf8) else { return .failure(.noRoute) }
        return match(path: String(Substring(utf8[utf8.index(first, offsetBy: 2)...])))
    }

    /// The non-empty segments of `path`, split on its UTF-8 bytes (every request goes through
    /// here: no characters, no intermediate strings); `nil` when there are more than `limit`.
    private static func segments(of path: String, atMost limit: Int) -> [Substring.UTF8View]? {
        var parts: [Substring.UTF8View] = []
        parts.reserveCapacity(limit)
        let utf8 = path.utf8
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                if index > start { parts.append(utf8[start..<index]) }
                start = utf8.index(after: index)
            }
            guard parts.count <= limit else { return nil }
            index = utf8.index(after: index)
        }
        if index > start { parts.append(utf8[start..<index]) }
        return parts.count <= limit ? parts : nil
    }

    private static func text(_ part: Substring.UTF8View) -> String { String(Substring(part)) }
}
