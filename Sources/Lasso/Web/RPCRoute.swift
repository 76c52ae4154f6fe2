/// Where a `POST /rpc/…` request goes: which chain, which strategy, which pinned provider.
///
/// - `/rpc/:chain` (a chain name or its numeric chain id) with the default strategy;
/// - `/rpc/:strategy/:chain` with `fastest`, `cheapest`, `priority` or `round-robin`;
/// - `/rpc/provider/:provider_id/:chain`: one provider, no failover.
public struct RPCRoute: Sendable, Equatable {
    public var chain: String
    public var strategy: SelectionStrategy?
    public var pinnedProvider: String?

    /// Parses the path; `nil` when it is not an RPC path of one of the three shapes.
    public static func parse(path: String) -> RPCRoute? {
        // Every request goes through here: split the UTF-8 bytes, not characters, and build no
        // array of parts.
        var parts: [Substring.UTF8View] = []
        parts.reserveCapacity(4)
        let utf8 = path.utf8
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                if index > start { parts.append(utf8[start..<index]) }
                start = utf8.index(after: index)
            }
            guard parts.count <= 4 else { return nil }
            index = utf8.index(after: index)
        }
        if index > start { parts.append(utf8[start..<index]) }
        func text(_ part: Substring.UTF8View) -> String { String(Substring(part)) }
        guard parts.count >= 2, parts.count <= 4, parts[0].elementsEqual("rpc".utf8) else { return nil }
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
}
