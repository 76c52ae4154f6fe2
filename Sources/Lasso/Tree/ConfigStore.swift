import Supervision
import LassoTransport

/// `ConfigStore`: the process that owns every change to what lassod runs — config reloads and
/// chain starts, stops and restarts — and carries them out one at a time.
///
/// The `CurrentConfig` table it holds is the config the request hot path reads; this process is
/// its only writer. Being a GenServer, it handles one request at a time, to the end: two
/// operators restarting the same chain, or a reload racing a `stop-chain`, run one after the
/// other, and each sees the tree the other left.
///
/// A reload reads and validates the file first. An unreadable or invalid file is refused with
/// every problem (key path and line) and nothing changes. Otherwise, in this order: the new
/// snapshot replaces the old at once, removed chains stop, changed chains that run restart from
/// a spec built from their new config (a spec captures its `ChainConfig`, so reusing the old
/// one would bring the old settings back), and added chains start. Chains the diff calls
/// unchanged are not touched. A chain that fails to stop or start is remembered and retried by
/// the next reload, even one whose diff is empty (`ReloadPlan`); meanwhile `stop-chain` and
/// `restart-chain` reach a chain that still runs though no longer configured (stopping it).
/// Sections applied only at start (`server`, `observability`, `subscriptions`, `benchmarks`)
/// are not applied: the reload logs `config.reload.restart_required` naming each one that changed.
///
/// A chain an operator stops stays stopped (`StoppedChains`) — through reloads that change it
/// and restarts of `ChainsSupervisor` — until `start-chain` or `restart-chain` starts it.
///
/// Each call answers exactly what it means (`ServerCall`): what it did, or the `AdminError`
/// that refused it, as the admin socket shows it. A refusal is an answer, not a crash: the
/// process goes on serving.
///
/// ```swift
/// let store = names.configStore
/// let diff = try await store?.call(.reload(path: configPath)).get()   // the ConfigDiff applied
/// try await store?.call(.restartChain("ethereum")).get()              // or throws its AdminError
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct ConfigStore: GenServer {
    let configs: CurrentConfig
    let services: ChainServices
    let stopped: StoppedChains
    let logger: Logger
    /// Chains that did not follow the config at the last reload (a stop or start failed): the
    /// next reload retries them.
    private var owed: Set<String> = []

    /// The process state: the table it writes, what chains are built with, the operator's stops and
    /// where reloads are logged.
    public init(configs: CurrentConfig, services: ChainServices, stopped: StoppedChains, logger: Logger) {
        self.configs = configs
        self.services = services
        self.stopped = stopped
        self.logger = logger
    }

    /// The child spec; each incarnation registers as `ConfigStore` in `services.names`.
    public static func childSpec(configs: CurrentConfig, services: ChainServices, stopped: StoppedChains,
                                 logger: Logger) -> ChildSpec {
        ChildSpec(id: "ConfigStore", name: services.names.name("ConfigStore")) { runtime in
            try await ServerRef.start(label: "ConfigStore", runtime: runtime) {
                ConfigStore(configs: configs, services: services, stopped: stopped, logger: logger)
            }.process
        }
    }

    // MARK: - Chains on demand

    /// `start-chain`: starts a configured chain that does not run, from the current config.
    mutating func startChain(_ name: String) async throws(AdminError) {
        let chain = try configured(name)
        let chains = try chainsSupervisor()
        if try await child(of: chain.key, in: chains) != nil { throw AdminError.chainAlreadyRunning(chain.key) }
        try await start(chain, in: chains)
        owed.remove(chain.key)
    }

    /// `stop-chain`: stops a running chain, which stays stopped until started again.
    mutating func stopChain(_ name: String) async throws(AdminError) {
        let chains = try chainsSupervisor()
        guard let chain = configs.chain(named: name) else {
            try await stopUnconfigured(name, in: chains)
            return
        }
        let ran = try await stop(chain.key, in: chains)
        endSubscriptions(chain.key, code: .goingAway)
        owed.remove(chain.key)
        stopped.insert(chain.key)
        guard ran else { throw AdminError.chainNotRunning(chain.key) }
    }

    /// `restart-chain`: stops the chain if it runs, then starts it from the current config.
    mutating func restartChain(_ name: String) async throws(AdminError) {
        let chains = try chainsSupervisor()
        guard let chain = configs.chain(named: name) else {
            try await stopUnconfigured(name, in: chains)
            throw AdminError.failed("chain \(name) is no longer configured: it was stopped, not started again")
        }
        try await stop(chain.key, in: chains)
        try await start(chain, in: chains)
        owed.remove(chain.key)
    }

    // MARK: - Reload

    /// `reload`: re-reads the config at `path`, passes it through `adjust` and applies it.
    mutating func reload(path: String, adjust: @Sendable (LassoConfig) -> LassoConfig) async throws(AdminError)
        -> ConfigDiff {
        let next: LassoConfig
        do throws(ConfigError) {
            next = adjust(try LassoConfig.load(path: path))
        } catch {
            throw .invalidConfig(error.issues.map(\.description))
        }
        let chains = try chainsSupervisor()
        let previous = configs.replace(with: next).config
        let diff = ConfigDiff(from: previous, to: next)
        for section in Self.restartRequired(from: previous, to: next) {
            logger.log(.warning, "config.reload.restart_required",
                       ["section": .string(section), "detail": .string("applied only when lassod starts")])
        }
        let plan = ReloadPlan(diff: diff, owed: owed, configured: Set(next.chains.map(\.key)))
        let retried = owed.sorted()
        var stillOwed: Set<String> = []
        var failures: [String] = []
        func attempt(_ key: String, _ step: () async throws(AdminError) -> Void) async {
            do throws(AdminError) {
                try await step()
            } catch {
                stillOwed.insert(key)
                failures.append(error.description)
            }
        }
        for key in plan.stop {
            stopped.remove(key)
            await attempt(key) { () throws(AdminError) in try await stop(key, in: chains) }
            endSubscriptions(key, code: .goingAway)
        }
        for key in plan.restart {
            guard let chain = next.chain(named: key) else { continue }
            // A changed chain an operator stopped stays stopped; `start-chain` will use the new config.
            await attempt(key) { () throws(AdminError) in
                if try await stop(key, in: chains) { try await start(chain, in: chains) }
            }
        }
        for key in plan.replace {
            guard let chain = next.chain(named: key) else { continue }
            await attempt(key) { () throws(AdminError) in
                try await stop(key, in: chains)
                try await start(chain, in: chains)
            }
        }
        for key in plan.start {
            guard let chain = next.chain(named: key) else { continue }
            await attempt(key) { () throws(AdminError) in
                if try await child(of: key, in: chains) == nil { try await start(chain, in: chains) }
            }
        }
        owed = stillOwed
        logger.log(failures.isEmpty ? .info : .error, "config.reloaded",
                   ["added": .string(diff.added.joined(separator: ",")),
                    "removed": .string(diff.removed.joined(separator: ",")),
                    "changed": .string(diff.changed.joined(separator: ",")),
                    "retried": .string(retried.joined(separator: ",")),
                    "failures": .int(failures.count)])
        guard failures.isEmpty else {
            throw .failed("configuration reloaded, but not every chain followed:\n" + failures.joined(separator: "\n")
                + "\nthe next reload retries them (lassod ctl reload); lassod ctl stop-chain <chain> stops one that "
                + "should not run")
        }
        return diff
    }

    /// The sections that differ between `old` and `new` but are read only at start.
    static func restartRequired(from old: LassoConfig, to new: LassoConfig) -> [String] {
        var sections: [String] = []
        // `admin_token` is read at each dashboard action, so a reload applies it at once.
        var oldServer = old.server, newServer = new.server
        oldServer.adminToken = nil
        newServer.adminToken = nil
        if oldServer != newServer { sections.append("server") }
        if old.observability != new.observability { sections.append("observability") }
        if old.subscriptions != new.subscriptions { sections.append("subscriptions") }
        if old.benchmarks != new.benchmarks { sections.append("benchmarks") }
        return sections
    }

    // MARK: - Chains

    private func configured(_ name: String) throws(AdminError) -> ChainConfig {
        guard let chain = configs.chain(named: name) else { throw .unknownChain(name) }
        return chain
    }

    private func chainsSupervisor() throws(AdminError) -> DynamicSupervisor {
        guard let chains = services.names.chainsSupervisor else {
            throw .failed("ChainsSupervisor is not running (it is being restarted); try again")
        }
        return chains
    }

    /// The `ChainSupervisor` of `key` under `chains`, running or waiting to restart.
    private func child(of key: String, in chains: DynamicSupervisor) async throws(AdminError) -> ChildInfo? {
        do {
            return try await chains.whichChildren().first { $0.id == ChainSupervisor.name(key) }
        } catch {
            throw .failed("ChainsSupervisor did not answer: \(error)")
        }
    }

    /// Stops a chain that runs though it is no longer configured (a reload failed to stop it).
    private mutating func stopUnconfigured(_ key: String, in chains: DynamicSupervisor) async throws(AdminError) {
        guard try await stop(key, in: chains) else { throw AdminError.unknownChain(key) }
        endSubscriptions(key, code: .goingAway)
        owed.remove(key)
    }

    /// Starts `chain` with a spec built from it and the current config; an operator's stop of
    /// it is over.
    private func start(_ chain: ChainConfig, in chains: DynamicSupervisor) async throws(AdminError) {
        let config = configs.config
        stopped.remove(chain.key)
        do {
            try await chains.startChild(ChainSupervisor.childSpec(chain: chain, services: services.applying(config)))
        } catch {
            // Its streams cannot resume: clients are told to come back (1012), not left waiting.
            endSubscriptions(chain.key, code: .serviceRestart)
            // A start failure may quote an upstream error; keep provider secrets out of the reply.
            throw .failed(configs.snapshot.scrubber.scrub("chain \(chain.key) could not start: \(error)"))
        }
    }

    /// Ends the subscriptions of a chain that stopped for good (1001) or could not start again
    /// (1012): their client sockets are closed with `code` and the chain's table is emptied.
    /// A chain that restarts keeps its table, and its streams resume.
    private func endSubscriptions(_ key: String, code: WebSocketCloseCode) {
        let connections = services.subscriptionTables.existing(key)?.removeAll() ?? []
        guard !connections.isEmpty else { return }
        for connection in connections { services.clientSockets.close(connection, code: code) }
        logger.log(.warning, "subscription.clients_closed", ["chain": .string(key), "code": .int(Int(code.rawValue)),
                                                             "count": .int(connections.count)])
    }

    /// Stops chain `key` if it runs; returns whether it did.
    @discardableResult
    private func stop(_ key: String, in chains: DynamicSupervisor) async throws(AdminError) -> Bool {
        guard let child = try await child(of: key, in: chains) else { return false }
        guard let process = child.process else {
            throw .failed("chain \(key) is being restarted by its supervisor; try again")
        }
        do {
            try await chains.terminateChild(process.pid)
        } catch SupervisorError.notFound {
            // It exited between the lookup and the stop; its supervisor is restarting it.
            throw .failed("chain \(key) is being restarted by its supervisor; try again")
        } catch {
            throw .failed("chain \(key) could not be stopped: \(error)")
        }
        return true
    }
}

extension ServerCall where Server == ConfigStore {
    /// Re-read the config at `path`, pass it through `adjust` (the command line's overrides,
    /// which outrank the file on every reload as at start), and apply it: the diff applied.
    public static func reload(path: String, adjust: @escaping @Sendable (LassoConfig) -> LassoConfig = { $0 })
        -> ServerCall<ConfigStore, Result<ConfigDiff, AdminError>> {
        answering { store throws(AdminError) in try await store.reload(path: path, adjust: adjust) }
    }

    /// Start a configured chain that does not run, from the current config.
    public static func startChain(_ name: String) -> ServerCall<ConfigStore, Result<Void, AdminError>> {
        answering { store throws(AdminError) in try await store.startChain(name) }
    }

    /// Stop a running chain.
    public static func stopChain(_ name: String) -> ServerCall<ConfigStore, Result<Void, AdminError>> {
        answering { store throws(AdminError) in try await store.stopChain(name) }
    }

    /// Stop the chain if it runs, then start it from the current config.
    public static func restartChain(_ name: String) -> ServerCall<ConfigStore, Result<Void, AdminError>> {
        answering { store throws(AdminError) in try await store.restartChain(name) }
    }

    /// A call whose refusal is its answer: `operation`'s `AdminError` goes back to the caller
    /// instead of ending the process.
    private static func answering<Value: Sendable>(
        _ operation: @escaping @Sendable (inout ConfigStore) async throws(AdminError) -> Value
    ) -> ServerCall<ConfigStore, Result<Value, AdminError>> {
        .init { store, _ in
            do throws(AdminError) {
                return .success(try await operation(&store))
            } catch {
                return .failure(error)
            }
        }
    }
}

extension ProcessNames {
    /// The process that owns config reloads and chain starts and stops, if it runs.
    public var configStore: ServerRef<ConfigStore>? { server("ConfigStore", as: ConfigStore.self) }
}
