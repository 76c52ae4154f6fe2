import Supervision

/// The `UpstreamWebSocketListener` of a chain's connections: the chain's running
/// `UpstreamSubscriptionPool`, looked up by name at each notice, so that a restarted pool is
/// found (and a notice while none runs is dropped: a new pool re-places what it needs).
public struct SubscriptionPoolListener: UpstreamWebSocketListener {
    let chain: String
    let names: ProcessNames

    public init(chain: String, names: ProcessNames) {
        self.chain = chain
        self.names = names
    }

    public func connection(provider: String, up: Bool) {
        UpstreamSubscriptionPool.running(chain: chain, names: names)?.cast(.connection(provider: provider, up: up))
    }

    public func message(provider: String, body: [UInt8]) {
        UpstreamSubscriptionPool.running(chain: chain, names: names)?.cast(.upstreamMessage(provider: provider, body: body))
    }
}
