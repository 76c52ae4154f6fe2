/// A supervisor: starts its children in order, restarts them by strategy when they exit, and
/// gives up — stopping them all and exiting with `shutdown` — when restarts exceed its intensity,
/// so that its own parent decides (failure escalates toward the root).
///
/// Guarantees, as in OTP:
/// - Children start left to right, each start synchronous; if child k fails to start, children
///   k−1…1 are stopped in that order and `start` throws `failedToStartChild`.
/// - Stop order is always reverse start order, one child at a time.
/// - `oneForAll` / `restForOne` stop the others of the group newest first, then start the
///   group in order; that counts as one restart.
/// - `permanent` children restart after any exit, `transient` ones only after an abnormal exit,
///   `temporary` ones never (their spec is removed).
/// - Stops the supervisor performs itself never trigger a restart.
///
/// ```swift
/// let tree = try await Supervisor.start(name: "Application", strategy: .oneForOne, children: [
///     ChildSpec(id: "ConfigStore") { runtime in try await ConfigStore.start(runtime).process },
///     Supervisor.childSpec(id: "ChainsSupervisor", children: []),
/// ])
/// try await tree.restartChild("ConfigStore")   // throws .running while it runs
/// ```
public struct Supervisor: Sendable {
    let server: ServerRef<SupervisorServer>
    /// The supervisor's name: its label in events and the root name in snapshots.
    public let name: String

    /// Starts a supervisor and all its children; returns when every child has started.
    /// - Throws: `SupervisorError.failedToStartChild` naming the first child that failed.
    public static func start(name: String, strategy: SupervisorStrategy = .oneForOne,
                             intensity: RestartIntensity = .default, children: [ChildSpec],
                             runtime: Runtime = .shared) async throws -> Supervisor {
        let server = try await ServerRef.start(label: name, runtime: runtime) {
            SupervisorServer(name: name, strategy: strategy, intensity: intensity, children: children)
        }
        return Supervisor(server: server, name: name)
    }

    /// A child spec that runs a nested supervisor (kind `.supervisor`, shutdown `.infinity`).
    public static func childSpec(id: String, strategy: SupervisorStrategy = .oneForOne,
                                 intensity: RestartIntensity = .default, restart: RestartType = .permanent,
                                 children: [ChildSpec]) -> ChildSpec {
        ChildSpec(id: id, restart: restart, kind: .supervisor) { runtime in
            try await start(name: id, strategy: strategy, intensity: intensity, children: children,
                            runtime: runtime).process
        }
    }

    /// The typed handle of a process started by `childSpec`, `start` or `DynamicSupervisor`.
    public init?(_ process: ProcessRef) {
        guard let server = process.server(SupervisorServer.self) else { return nil }
        self.init(server: server, name: process.label)
    }

    init(server: ServerRef<SupervisorServer>, name: String) {
        self.server = server
        self.name = name
    }

    public var process: ProcessRef { server.process }

    /// Adds and starts a child at the end of the start order.
    /// - Throws: `alreadyStarted(pid)`, `alreadyPresent`, `startFailed`.
    @discardableResult
    public func startChild(_ spec: ChildSpec) async throws -> ProcessRef {
        try await server.supervisorRequest(.startChild(spec)).started()
    }

    /// Stops a child; its spec stays (except for temporary children) and it is not restarted.
    /// - Throws: `notFound`.
    public func terminateChild(_ id: String) async throws {
        try await server.supervisorRequest(.terminateChild(id)).done()
    }

    /// Starts a stopped child again. - Throws: `running`, `restarting`, `notFound`, `startFailed`.
    @discardableResult
    public func restartChild(_ id: String) async throws -> ProcessRef {
        try await server.supervisorRequest(.restartChild(id)).started()
    }

    /// Removes a stopped child's spec. - Throws: `running`, `restarting`, `notFound`.
    public func deleteChild(_ id: String) async throws {
        try await server.supervisorRequest(.deleteChild(id)).done()
    }

    /// Every child spec, in start order.
    public func whichChildren() async throws -> [ChildInfo] {
        try await server.supervisorRequest(.whichChildren).children()
    }

    public func countChildren() async throws -> ChildCounts {
        try await server.supervisorRequest(.countChildren).counts()
    }

    /// The whole tree below (and including) this supervisor.
    public func snapshot() async -> TreeSnapshot {
        await server.supervisorSnapshot(name: name)
    }

    /// Stops every child in reverse start order, then the supervisor; returns its exit reason.
    @discardableResult
    public func stop() async -> ExitReason {
        await server.stopSupervisor()
    }

}

extension SupervisorReply {
    func started() throws -> ProcessRef {
        switch self {
        case .started(let process): return process
        case .failure(let error): throw error
        default: throw SupervisorError.call(.noProcess)
        }
    }

    func done() throws {
        switch self {
        case .ok: return
        case .failure(let error): throw error
        default: throw SupervisorError.call(.noProcess)
        }
    }

    func children() throws -> [ChildInfo] {
        if case .children(let list) = self { return list }
        if case .failure(let error) = self { throw error }
        throw SupervisorError.call(.noProcess)
    }

    func counts() throws -> ChildCounts {
        if case .counts(let counts) = self { return counts }
        if case .failure(let error) = self { throw error }
        throw SupervisorError.call(.noProcess)
    }
}
