/// Where JSON-RPC requests go: which chain, which strategy, which pinned provider — parsed
/// from the path of a `POST /rpc/…` request or of a client WebSocket.
///
/// - `/rpc/:chain` (a chain name or its numeric chain id) with the default strategy;
/// - `/rpc/:strategy/:chain` with `fastest`, `cheapest`, `priority` or `round-robin`;
/// - `/rpc/provider/:provider_id/:chain`: one provider, no failover;
/// - `/ws/rpc/:chain`: a client WebSocket, with the default strategy.
///
/// Empty segments are skipped (`/rpc//ethereum/` is `/rpc/ethereum`).
public struct RPCRoute: Sendable, Equatable {
    public var chain: String
    public var strategy: SelectionStrategy?
    public var pinnedProvider: String?

    /// Parses an HTTP request's path; `nil` when it is not one of the three `/rpc/…` shapes.
    public static func parse(path: String) -> RPCRoute? {
        guard let parts = segments(of: path, atMost: 4), parts.count >= 2, parts[0].elementsEqual("rpc".utf8) else {
            return nil
        }
        switch parts.count {
        case 2:
            return RPCRoute(chain: text(parts[1]))
        case 3:
            guard let strategy = SelectionStrategy(name: text(parts[1])) else { return nil }
            return RPCRoute(chain: text(parts[2]), strategy: strategy)
        case 4 where parts[1].elementsEqual("provider".utf8):
            return RPCRoute(chain: text(parts[3]), pinnedProvider: text(parts[2]))
        default:
            return nil
        }
    }

    /// Parses a client WebSocket's path; `nil` when it is not `/ws/rpc/:chain`.
    public static func parse(webSocketPath path: String) -> RPCRoute? {
        guard let parts = segments(of: path, atMost: 3), parts.count == 3, parts[0].elementsEqual("ws".utf8),
              parts[1].elementsEqual("rpc".utf8) else { return nil }
        return RPCRoute(chain: text(parts[2]))
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
