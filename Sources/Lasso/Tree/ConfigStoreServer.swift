import Supervision

/// `ConfigStore`: the process that owns every change to what lassod runs — config reloads and
/// chain starts, stops and restarts — and carries them out one at a time.
///
/// The `ConfigStore` object it holds is the snapshot the request hot path reads; this process is
/// its only writer. Being a GenServer, it handles one request at a time, to the end: two
/// operators restarting the same chain, or a reload racing a `stop-chain`, run one after the
/// other, and each sees the tree the other left.
///
/// A reload reads and validates the file first. An unreadable or invalid file is refused with
/// every problem (key path and line) and nothing changes. Otherwise, in this order: the new
/// snapshot replaces the old at once, removed chains stop, changed chains that run restart from
/// a spec built from their new config (a spec captures its `ChainConfig`, so reusing the old
/// one would bring the old settings back), and added chains start. Chains the diff calls
/// unchanged are not touched. Sections applied only at start (`server`, `observability`) are
/// not applied: the reload logs `config.reload.restart_required` naming each one that changed.
///
/// ```swift
/// let store = names.configStore
/// try await store?.call(.reload(path: "config/chains.yml"))   // .reloaded(diff) or .refused(error)
/// try await store?.call(.restartChain("ethereum"))            // .done
/// ```
public struct ConfigStoreServer: GenServer {
    public enum Call: Sendable {
        /// Re-read the config at `path`, pass it through `adjust` (the command line's overrides,
        /// which outrank the file on every reload as at start), and apply it.
        case reload(path: String, adjust: @Sendable (LassoConfig) -> LassoConfig = { $0 })
        /// Start a configured chain that does not run, from the current config.
        case startChain(String)
        /// Stop a running chain.
        case stopChain(String)
        /// Stop the chain if it runs, then start it from the current config.
        case restartChain(String)
    }

    public enum Reply: Sendable {
        case reloaded(ConfigDiff)
        case done
        /// The operation was refused or failed; the error says why, as the admin socket shows it.
        case refused(AdminError)
    }

    let configs: ConfigStore
    let services: ChainServices
    let logger: Logger

    public init(configs: ConfigStore, services: ChainServices, logger: Logger) {
        self.configs = configs
        self.services = services
        self.logger = logger
    }

    /// The child spec; each incarnation registers as `ConfigStore` in `services.names`.
    public static func childSpec(configs: ConfigStore, services: ChainServices, logger: Logger) -> ChildSpec {
        ChildSpec(id: "ConfigStore", name: services.names.name("ConfigStore")) { runtime in
            try await ServerRef.start(label: "ConfigStore", runtime: runtime) {
                ConfigStoreServer(configs: configs, services: services, logger: logger)
            }.process
        }
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Reply {
        do throws(AdminError) {
            switch request {
            case .reload(let path, let adjust):
                return .reloaded(try await reload(path: path, adjust: adjust))
            case .startChain(let name):
                let chain = try configured(name)
                let chains = try chainsSupervisor()
                if try await child(of: chain.key, in: chains) != nil { throw AdminError.chainAlreadyRunning(chain.key) }
                try await start(chain, in: chains)
            case .stopChain(let name):
                let chain = try configured(name)
                let chains = try chainsSupervisor()
                guard try await stop(chain.key, in: chains) else { throw AdminError.chainNotRunning(chain.key) }
            case .restartChain(let name):
                let chain = try configured(name)
                let chains = try chainsSupervisor()
                try await stop(chain.key, in: chains)
                try await start(chain, in: chains)
            }
            return .done
        } catch {
            return .refused(error)
        }
    }

    // MARK: - Reload

    private func reload(path: String, adjust: @Sendable (LassoConfig) -> LassoConfig) async throws(AdminError)
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
        var failures: [String] = []
        for key in diff.removed {
            do throws(AdminError) { try await stop(key, in: chains) } catch { failures.append(error.description) }
        }
        for key in diff.changed {
            guard let chain = next.chain(named: key) else { continue }
            do throws(AdminError) {
                // A changed chain an operator stopped stays stopped; `start-chain` will use the new config.
                if try await stop(key, in: chains) { try await start(chain, in: chains) }
            } catch {
                failures.append(error.description)
            }
        }
        for key in diff.added {
            guard let chain = next.chain(named: key) else { continue }
            do throws(AdminError) { try await start(chain, in: chains) } catch { failures.append(error.description) }
        }
        logger.log(failures.isEmpty ? .info : .error, "config.reloaded",
                   ["added": .string(diff.added.joined(separator: ",")),
                    "removed": .string(diff.removed.joined(separator: ",")),
                    "changed": .string(diff.changed.joined(separator: ",")),
                    "failures": .int(failures.count)])
        guard failures.isEmpty else {
            throw .failed("configuration reloaded, but not every chain followed:\n" + failures.joined(separator: "\n"))
        }
        return diff
    }

    /// The sections that differ between `old` and `new` but are read only at start.
    static func restartRequired(from old: LassoConfig, to new: LassoConfig) -> [String] {
        var sections: [String] = []
        if old.server != new.server { sections.append("server") }
        if old.observability != new.observability { sections.append("observability") }
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

    /// Starts `chain` with a spec built from it and the current config.
    private func start(_ chain: ChainConfig, in chains: DynamicSupervisor) async throws(AdminError) {
        let config = configs.config
        do {
            try await chains.startChild(ChainSupervisor.childSpec(chain: chain, services: services.applying(config)))
        } catch {
            // A start failure may quote an upstream error; keep provider secrets out of the reply.
            throw .failed(SecretScrubber(config: config).scrub("chain \(chain.key) could not start: \(error)"))
        }
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
