/// Where requests go, resolved from a route once: the chain's directory entry (which yields
/// the running board across restarts), the strategy the route asked for, the pinned provider.
///
/// An HTTP request resolves its path into a target each time; a client WebSocket resolves its
/// path once, when it opens, and sends every message to that target.
public struct RPCTarget: Sendable {
    /// The chain, as the directory knows it.
    public let chain: ChainDirectory.Entry
    /// The strategy the route named; `nil` for the configured default, read per request.
    public let strategy: SelectionStrategy?
    /// `POST /rpc/provider/:id/:chain`: only this provider, no failover.
    public let pinnedProvider: String?
}
