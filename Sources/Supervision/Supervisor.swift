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
///     ChildSpec(id: "Counter") { runtime in try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }.process },
///     Supervisor.childSpec(id: "ChainsSupervisor", children: []),
/// ], runtime: runtime)
/// do {
///     try await tree.restartChild("Counter")
/// } catch .running {
///     // A running child is not restarted; the API's errors are `SupervisorError`s, typed.
/// }
/// ```
/// (`Counter` is `GenServer`'s example; compiled and run by `SupervisionTests/DocExampleTests`.)
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
    public func startChild(_ spec: ChildSpec) async throws(SupervisorError) -> ProcessRef {
        try await server.supervisorCall(.startChild(spec)).get()
    }

    /// Stops a child; its spec stays (except for temporary children) and it is not restarted.
    /// - Throws: `notFound`.
    public func terminateChild(_ id: String) async throws(SupervisorError) {
        try await server.supervisorCall(.terminateChild(id)).get()
    }

    /// Starts a stopped child again. - Throws: `running`, `restarting`, `notFound`, `startFailed`.
    @discardableResult
    public func restartChild(_ id: String) async throws(SupervisorError) -> ProcessRef {
        try await server.supervisorCall(.restartChild(id)).get()
    }

    /// Removes a stopped child's spec. - Throws: `running`, `restarting`, `notFound`.
    public func deleteChild(_ id: String) async throws(SupervisorError) {
        try await server.supervisorCall(.deleteChild(id)).get()
    }

    /// Every child spec, in start order. - Throws: only `call`, when the supervisor is not running.
    public func whichChildren() async throws(SupervisorError) -> [ChildInfo] {
        try await server.supervisorCall(.whichChildren)
    }

    /// Specs, running children, supervisors and workers. - Throws: only `call`.
    public func countChildren() async throws(SupervisorError) -> ChildCounts {
        try await server.supervisorCall(.countChildren)
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
