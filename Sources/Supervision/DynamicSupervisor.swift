/// A supervisor for children started at run time, one at a time, identified by PID: the
/// chains of lassod, the stream coordinators of a chain.
///
/// Starts with no children. `startChild` blocks until the child has initialised. Every child is
/// restarted on its own (one for one) per its restart type, under the same restart intensity as
/// `Supervisor`. `maxChildren` counts children waiting to restart too. On shutdown every child is
/// asked to stop at once.
///
/// ```swift
/// let chains = try await DynamicSupervisor.start(name: "ChainsSupervisor", runtime: runtime)
/// let ethereum = try await chains.startChild(Supervisor.childSpec(id: "ChainSupervisor(ethereum)", children: []))
/// try await chains.terminateChild(ethereum.pid)
/// ```
/// (Compiled and run by `SupervisionTests/DocExampleTests`.)
public struct DynamicSupervisor: Sendable {
    let server: ServerRef<DynamicSupervisorServer>
    public let name: String

    public static func start(name: String, intensity: RestartIntensity = .default, maxChildren: Int? = nil,
                             runtime: Runtime = .shared) async throws -> DynamicSupervisor {
        let server = try await ServerRef.start(label: name, runtime: runtime) {
            DynamicSupervisorServer(name: name, intensity: intensity, maxChildren: maxChildren)
        }
        return DynamicSupervisor(server: server, name: name)
    }

    /// A child spec that runs a dynamic supervisor under another supervisor.
    public static func childSpec(id: String, intensity: RestartIntensity = .default, maxChildren: Int? = nil,
                                 restart: RestartType = .permanent) -> ChildSpec {
        ChildSpec(id: id, restart: restart, kind: .supervisor) { runtime in
            try await start(name: id, intensity: intensity, maxChildren: maxChildren, runtime: runtime).process
        }
    }

    /// The typed handle of a process started by `childSpec` or `start`.
    public init?(_ process: ProcessRef) {
        guard let server = process.server(DynamicSupervisorServer.self) else { return nil }
        self.init(server: server, name: process.label)
    }

    init(server: ServerRef<DynamicSupervisorServer>, name: String) {
        self.server = server
        self.name = name
    }

    public var process: ProcessRef { server.process }

    /// Starts a child. - Throws: `maxChildren`, `startFailed`, `alreadyStarted` (name taken).
    @discardableResult
    public func startChild(_ spec: ChildSpec) async throws(SupervisorError) -> ProcessRef {
        try await server.supervisorCall(.startChild(spec)).get()
    }

    /// Stops the child running as `pid`; it is not restarted. - Throws: `notFound`.
    public func terminateChild(_ pid: PID) async throws(SupervisorError) {
        try await server.supervisorCall(.terminateChild(pid)).get()
    }

    /// Every child, in start order. - Throws: only `call`, when the supervisor is not running.
    public func whichChildren() async throws(SupervisorError) -> [ChildInfo] {
        try await server.supervisorCall(.whichChildren)
    }

    /// Children, running children, supervisors and workers. - Throws: only `call`.
    public func countChildren() async throws(SupervisorError) -> ChildCounts {
        try await server.supervisorCall(.countChildren)
    }

    /// The whole tree below (and including) this supervisor.
    public func snapshot() async -> TreeSnapshot {
        await server.supervisorSnapshot(name: name)
    }

    /// Stops every child at once, then the supervisor; returns its exit reason.
    @discardableResult
    public func stop() async -> ExitReason {
        await server.stopSupervisor()
    }
}
