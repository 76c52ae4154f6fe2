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
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.first == "rpc" else { return nil }
        switch parts.count {
        case 2:
            return RPCRoute(chain: parts[1])
        case 3:
            guard let strategy = SelectionStrategy(name: parts[1]) else { return nil }
            return RPCRoute(chain: parts[2], strategy: strategy)
        case 4 where parts[1] == "provider":
            return RPCRoute(chain: parts[3], pinnedProvider: parts[2])
        default:
            return nil
        }
    }
}
