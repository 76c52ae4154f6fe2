import Supervision

/// `AdminControl` on a running `LassoApplication`: what `lassod ctl` commands do to the live tree.
///
/// Reads (`tree`, `chains`, `status`) go straight to the supervisors and the published chain
/// state. Every change to what runs — `reload`, `start-chain`, `stop-chain`, `restart-chain` —
/// is a call to the `ConfigStore` process, which handles one at a time, so concurrent operators
/// cannot interleave halves of two operations on the same chain. `kill` and `breaker` act on one
/// process and need no such ordering: its supervisor, or the breaker's mailbox, orders them.
///
/// ```swift
/// let control = TreeControl(application: app, configPath: configPath)
/// try await control.restartChain("ethereum")
/// let pid = try await control.kill(path: "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool")
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class TreeControl: AdminControl {
    /// The exit reason of a process killed by an operator: abnormal, so every supervisor
    /// restarts it whatever its restart type (a `temporary` child excepted: it is never restarted).
    struct OperatorKill: Error, CustomStringConvertible {
        var description: String { "killed by an operator (lassod ctl kill)" }
    }

    let application: LassoApplication
    /// The file `reload` reads; `nil` when the running config came from no file `reload` could
    /// re-read as it is (the demo rewrites every provider to a simulated one).
    let configPath: String?
    /// Applied to every reloaded config: the command line's overrides.
    let adjust: @Sendable (LassoConfig) -> LassoConfig

    /// Control of `application`; `reload` re-reads `configPath` and passes what it read through
    /// `adjust`.
    public init(application: LassoApplication, configPath: String?,
                adjust: @escaping @Sendable (LassoConfig) -> LassoConfig = { $0 }) {
        self.application = application
        self.configPath = configPath
        self.adjust = adjust
    }

    public func tree() async -> TreeSnapshot {
        await application.root.snapshot()
    }

    public func chains() async -> [AdminChainSummary] {
        application.services.directory.summaries(of: application.configs.config)
    }

    public func status(chain: String) async throws -> ChainStatus {
        guard let config = application.configs.chain(named: chain) else { throw AdminError.unknownChain(chain) }
        var status = await ChainStatus.gather(chain: config, directory: application.services.directory,
                                              names: application.services.names, clock: application.runtime.clock,
                                              subscriptions: application.services.subscriptionTables)
        status.region = Region.name(application.configs.config.server.region)
        return status
    }

    public func startChain(_ chain: String) async throws {
        try await change(.startChain(chain))
    }

    public func stopChain(_ chain: String) async throws {
        try await change(.stopChain(chain))
    }

    public func restartChain(_ chain: String) async throws {
        try await change(.restartChain(chain))
    }

    public func reload() async throws -> ConfigDiff {
        guard let configPath else {
            throw AdminError.failed("reload is not available here: this lassod's config was not read from a file "
                + "(the demo's providers are simulated); restart it instead")
        }
        return try await change(.reload(path: configPath, adjust: adjust))
    }

    public func kill(path: String) async throws -> PID {
        let segments = path.split(separator: "/").map(String.init)
        guard let first = segments.first else { throw AdminError.unknownPath(path) }
        guard first == application.root.name else { throw AdminError.unknownPath(first) }
        var target = application.root.process
        for segment in segments.dropFirst() {
            guard let child = await Self.children(of: target).first(where: { $0.id == segment }),
                  let process = child.process else {
                throw AdminError.unknownPath(segment)
            }
            target = process
        }
        guard target != application.root.process else {
            throw AdminError.failed("the root cannot be killed: Application has no supervisor to restart it "
                                    + "(stop lassod with SIGTERM instead)")
        }
        target.stop(.failed(OperatorKill()))
        return target.pid
    }

    public func breaker(chain: String, provider: String, transport: TransportKind, action: BreakerAction) async throws
        -> BreakerPhase {
        guard let config = application.configs.chain(named: chain) else { throw AdminError.unknownChain(chain) }
        guard let providerConfig = config.provider(id: provider) else {
            throw AdminError.unknownProvider(chain: config.key, provider: provider)
        }
        guard providerConfig.transports.contains(transport) else {
            throw AdminError.unknownBreaker(chain: config.key, provider: provider, transport: transport)
        }
        let services = application.services
        guard let breaker = services.breakers.breaker(chain: config.key,
                                                      channel: Channel(providerID: provider, transport: transport)) else {
            if services.directory.board(for: config.key) == nil { throw AdminError.chainNotRunning(config.key) }
            throw AdminError.failed("CircuitBreaker(\(provider), \(transport.rawValue)) is being restarted; try again")
        }
        let override: CircuitBreaker.Override = switch action {
        case .open: .open
        case .close: .close
        case .reset: .reset
        }
        do {
            return try await breaker.call(.override(override)).phase
        } catch {
            throw AdminError.failed("CircuitBreaker(\(provider), \(transport.rawValue)) did not answer: \(error)")
        }
    }

    /// Asks the `ConfigStore` process to make a change and waits for its answer: what the
    /// change did, or the error it was refused with.
    private func change<Value>(_ call: ServerCall<ConfigStore, Result<Value, AdminError>>) async throws(AdminError)
        -> Value {
        guard let store = application.services.names.configStore else {
            throw .failed("ConfigStore is not running (it is being restarted); try again")
        }
        let answer: Result<Value, AdminError>
        do {
            answer = try await store.call(call, timeout: AdminCommand.changeTimeout)
        } catch .timeout {
            throw .failed("ConfigStore did not answer within \(AdminCommand.changeTimeout); the change may still complete")
        } catch {
            throw .failed("ConfigStore did not finish the change: \(error)")
        }
        return try answer.get()
    }

    /// The children of a supervisor process, of either kind; none for a worker.
    static func children(of process: ProcessRef) async -> [ChildInfo] {
        if let supervisor = Supervisor(process) { return (try? await supervisor.whichChildren()) ?? [] }
        if let supervisor = DynamicSupervisor(process) { return (try? await supervisor.whichChildren()) ?? [] }
        return []
    }
}
