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
        // Every request goes through here: split without building an array of strings.
        var parts: (Substring, Substring, Substring, Substring) = ("", "", "", "")
        var count = 0
        for part in path.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: true) {
            switch count {
            case 0: parts.0 = part
            case 1: parts.1 = part
            case 2: parts.2 = part
            case 3: parts.3 = part
            default: return nil
            }
            count += 1
        }
        guard count >= 2, parts.0 == "rpc" else { return nil }
        switch count {
        case 2:
            return RPCRoute(chain: String(parts.1))
        case 3:
            guard let strategy = SelectionStrategy(name: String(parts.1)) else { return nil }
            return RPCRoute(chain: String(parts.2), strategy: strategy)
        case 4 where parts.1 == "provider":
            return RPCRoute(chain: String(parts.3), pinnedProvider: String(parts.2))
        default:
            return nil
        }
    }
}
