import Supervision

/// `ChainSupervisor(<chain>)`: everything one chain runs, isolated from other chains.
///
/// Each start makes a fresh `ChainStateBoard` (with the chain's HTTP channels routed to their
/// parsed URLs), starts the providers' supervisors, the `ProviderPool`, the
/// `ProviderHealthMonitor`, the `TransportRegistry` and the subscription processes (`UpstreamSubscriptionPool`,
/// `StreamSupervisor`, `ClientSubscriptionRegistry`), registers the board in the `ChainDirectory` under this
/// supervisor's process — so requests find the chain exactly while it runs, and a restarted
/// chain starts from a clean slate — and subscribes the chain's log lines (`ChainEventLog`) to
/// its `PubSub` topic, also under this process. One for one: a crashing process
/// restarts alone; a chain that keeps failing exceeds its intensity and its own supervisor
/// (`ChainsSupervisor`) restarts it.
public enum ChainSupervisor {
    /// The child id of `chain`'s supervisor, as `lassod ctl tree` shows it.
    public static func name(_ chain: String) -> String { "ChainSupervisor(\(chain))" }

    /// The child spec of `chain`'s supervisor, for `ChainsSupervisor`; each start builds the chain
    /// anew from `chain` and `services`.
    public static func childSpec(chain: ChainConfig, services: ChainServices) -> ChildSpec {
        let id = name(chain.key)
        return ChildSpec(id: id, restart: .permanent, kind: .supervisor) { runtime in
            let board = ChainStateBoard(chain: chain)
            let pool = ProviderPool.childSpec(chain: chain, board: board, names: services.names, pubsub: services.pubsub)
            let children = chain.providers.map { provider in
                ProviderSupervisor.childSpec(chain: chain, provider: provider, board: board, services: services)
            } + [
                pool,
                ProviderHealthMonitor.childSpec(chain: chain, board: board, sender: services.sender, names: services.names),
                TransportRegistry.childSpec(chain: chain, board: board),
            ] + subscriptionChildren(chain: chain, board: board, services: services)
            let supervisor = try await Supervisor.start(name: id, strategy: .oneForOne, children: children,
                                                        runtime: runtime)
            do {
                try services.directory.register(chain: chain.key, board: board, process: supervisor.process)
                try ChainEventLog.subscribe(chain: chain.key, pubsub: services.pubsub, process: supervisor.process,
                                            logger: services.logger)
            } catch {
                await supervisor.stop()
                throw error
            }
            return supervisor.process
        }
    }

    /// The pool, the coordinators' supervisor and the registry that keeps a coordinator per key,
    /// in that order: a coordinator finds its pool running, the registry its supervisor.
    private static func subscriptionChildren(chain: ChainConfig, board: ChainStateBoard,
                                             services: ChainServices) -> [ChildSpec] {
        let table = services.subscriptionTables.table(chain.key)
        let settings = SubscriptionSettings(global: services.subscriptions, chain: chain)
        let filler = GapFiller(pipeline: services.pipeline, clock: services.pipeline.clock, ids: services.requestIDs)
        let names = services.names
        let sockets = services.clientSockets
        let logger = services.logger
        return [
            UpstreamSubscriptionPool.childSpec(chain: chain, board: board, names: names, table: table,
                                               failsOver: settings.failsOver,
                                               confirmationTimeout: settings.subscriptionTimeout),
            StreamSupervisor.childSpec(chain: chain.key, table: table, names: names),
            ClientSubscriptionRegistry.childSpec(chain: chain.key, names: names, table: table) { key in
                StreamCoordinator.childSpec(key: key, chain: chain.key, table: table, board: board, names: names,
                                            sockets: sockets, filler: filler, settings: settings, logger: logger)
            },
        ]
    }
}
