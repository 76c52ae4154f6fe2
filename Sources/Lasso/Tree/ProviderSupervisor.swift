import Supervision

/// `ProviderSupervisor(<provider>)`: one provider's processes — a breaker per transport it has,
/// and its `WSConnection` when it has a `ws_url`. One for one: a breaker that crashes restarts
/// closed and republishes; a WebSocket that keeps dying exhausts only this supervisor, whose own
/// restart does not touch the chain's other providers.
public enum ProviderSupervisor {
    /// The child spec of `provider`'s supervisor under `chain`'s, publishing to `board`.
    public static func childSpec(chain: ChainConfig, provider: ProviderConfig, board: ChainStateBoard,
                                 services: ChainServices) -> ChildSpec {
        let id = "ProviderSupervisor(\(provider.id))"
        let breakers = provider.transports.map { transport in
            CircuitBreaker.childSpec(chain: chain.key, provider: provider.id, transport: transport,
                                     policy: services.breakerPolicy, board: board, directory: services.breakers,
                                     pubsub: services.pubsub)
        }
        let connection = WSConnection.childSpec(chain: chain, provider: provider, loop: services.loop, board: board,
                                                names: services.names,
                                                listener: SubscriptionPoolListener(chain: chain.key, names: services.names))
        return Supervisor.childSpec(id: id, strategy: .oneForOne, children: breakers + (connection.map { [$0] } ?? []))
    }
}
