import Supervision

/// `ProviderSupervisor(<provider>)`: one provider's processes — a breaker per transport it has.
/// One for one: a breaker that crashes restarts closed and republishes; its sibling is untouched.
public enum ProviderSupervisor {
    public static func childSpec(chain: ChainConfig, provider: ProviderConfig, board: ChainStateBoard,
                                 services: ChainServices) -> ChildSpec {
        let id = "ProviderSupervisor(\(provider.id))"
        let breakers = provider.transports.map { transport in
            CircuitBreaker.childSpec(chain: chain.key, provider: provider.id, transport: transport,
                                     policy: services.breakerPolicy, board: board, directory: services.breakers)
        }
        return Supervisor.childSpec(id: id, strategy: .oneForOne, children: breakers)
    }
}
