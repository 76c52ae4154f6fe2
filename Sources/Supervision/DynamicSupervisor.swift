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
        try await request(.startChild(spec)).started()
    }

    /// Stops the child running as `pid`; it is not restarted. - Throws: `notFound`.
    public func terminateChild(_ pid: PID) async throws {
        try await request(.terminateChild(pid)).done()
    }

    public func whichChildren() async throws -> [ChildInfo] {
        try await request(.whichChildren).children()
    }

    public func countChildren() async throws -> ChildCounts {
        try await request(.countChildren).counts()
    }

    public func snapshot() async -> TreeSnapshot {
        await TreeSnapshot.of(process, name: name, kind: .supervisor, restarts: 0, runtime: server.core.runtime)
    }

    @discardableResult
    public func stop() async -> ExitReason {
        server.core.requestStop(.shutdown(nil))
        return await server.core.waitForExit()
    }

    private func request(_ call: DynamicSupervisorServer.Call) async throws -> SupervisorReply {
        do {
            return try await server.call(call, timeout: Supervisor.callTimeout)
        } catch {
            throw SupervisorError.call(error)
        }
    }
}
