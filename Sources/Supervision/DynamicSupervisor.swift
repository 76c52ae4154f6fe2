/// A supervisor for children started at run time, one at a time, identified by PID: the
/// chains of lassod, the stream coordinators of a chain.
///
/// Starts with no children. `startChild` blocks until the child has initialised. Every child is
/// restarted on its own (one for one) per its restart type, under the same restart intensity as
/// `Supervisor`. `maxChildren` counts children waiting to restart too. On shutdown every child is
/// asked to stop at once.
///
/// ```swift
/// let chains = try await DynamicSupervisor.start(name: "ChainsSupervisor")
/// let ethereum = try await chains.startChild(ChainSupervisor.childSpec(chain: "ethereum"))
/// try await chains.terminateChild(ethereum.pid)
/// ```
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
    public func startChild(_ spec: ChildSpec) async throws -> ProcessRef {
        try await server.supervisorRequest(.startChild(spec)).started()
    }

    /// Stops the child running as `pid`; it is not restarted. - Throws: `notFound`.
    public func terminateChild(_ pid: PID) async throws {
        try await server.supervisorRequest(.terminateChild(pid)).done()
    }

    public func whichChildren() async throws -> [ChildInfo] {
        try await server.supervisorRequest(.whichChildren).children()
    }

    public func countChildren() async throws -> ChildCounts {
        try await server.supervisorRequest(.countChildren).counts()
    }

    public func snapshot() async -> TreeSnapshot {
        await server.supervisorSnapshot(name: name)
    }

    @discardableResult
    public func stop() async -> ExitReason {
        await server.stopSupervisor()
    }

}
