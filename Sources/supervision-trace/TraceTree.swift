import Supervision

/// The running tree of a scenario, addressed by path: builds the child specs, finds the live
/// incarnation of a supervisor or worker, and waits until an exit has been dealt with.
///
/// Paths are resolved from the root each time, through `whichChildren`, so a step always reaches
/// the newest incarnation of a restarted supervisor, exactly as the OTP harness looks up the
/// newest pid.
struct TraceTree {
    /// A live supervisor of the tree.
    enum Node {
        case ordered(Supervisor)
        case dynamic(DynamicSupervisor, workerRestart: RestartType)

        var process: ProcessRef {
            switch self {
            case .ordered(let supervisor): return supervisor.process
            case .dynamic(let supervisor, _): return supervisor.process
            }
        }

        /// Its children, in start order; `nil` when it is not running.
        func children() async -> [ChildInfo]? {
            switch self {
            case .ordered(let supervisor): return try? await supervisor.whichChildren()
            case .dynamic(let supervisor, _): return try? await supervisor.whichChildren()
            }
        }
    }

    let spec: TraceSupervisorSpec
    let root: Supervisor
    let output: TraceOutput

    /// Starts the root supervisor and, with it, the whole tree.
    static func start(_ spec: TraceSupervisorSpec, output: TraceOutput, runtime: Runtime) async throws -> TraceTree {
        guard case .ordered(let strategy, let children) = spec.kind else {
            throw TraceScenario.Invalid(description: "the root must be an ordered supervisor")
        }
        let root = try await Supervisor.start(name: TracePath.root.description, strategy: strategy,
                                              intensity: spec.intensity,
                                              children: children.map { childSpec($0, at: .root, output: output) },
                                              runtime: runtime)
        return TraceTree(spec: spec, root: root, output: output)
    }

    /// The spec of a child at `parent`: a worker, or a supervisor that prints its `start` as its
    /// own start begins, before its children start (OTP's supervisor runs `init/1` first).
    static func childSpec(_ child: TraceChildSpec, at parent: TracePath, output: TraceOutput) -> ChildSpec {
        let path = parent.appending(child.id)
        guard let supervisor = child.supervisor else { return TraceChild.spec(id: child.id, restart: child.restart) }
        return ChildSpec(id: child.id, restart: child.restart, kind: .supervisor) { runtime in
            output.emit(["ev": "start", "id": path.description])
            switch supervisor.kind {
            case .ordered(let strategy, let children):
                return try await Supervisor.start(name: path.description, strategy: strategy, intensity: supervisor.intensity,
                                                  children: children.map { childSpec($0, at: path, output: output) },
                                                  runtime: runtime).process
            case .dynamic:
                return try await DynamicSupervisor.start(name: path.description, intensity: supervisor.intensity,
                                                         runtime: runtime).process
            }
        }
    }

    /// The running supervisors from the root down to `path`, or `nil` if one of them is not
    /// running.
    func chain(to path: TracePath) async -> [Node]? {
        var nodes: [Node] = [.ordered(root)]
        var spec = self.spec
        for id in path.segments {
            guard case .ordered(_, let children) = spec.kind, let childSpec = children.first(where: { $0.id == id })?.supervisor,
                  let found = await nodes.last?.children(),
                  let process = found.first(where: { $0.id == id })?.process else { return nil }
            switch childSpec.kind {
            case .ordered:
                guard let supervisor = Supervisor(process) else { return nil }
                nodes.append(.ordered(supervisor))
            case .dynamic(let workerRestart):
                guard let supervisor = DynamicSupervisor(process) else { return nil }
                nodes.append(.dynamic(supervisor, workerRestart: workerRestart))
            }
            spec = childSpec
        }
        return nodes
    }

    /// The running supervisor at `path`, or `nil` (OTP's `noproc`).
    func supervisor(at path: TracePath) async -> Node? {
        await chain(to: path)?.last
    }

    /// The process running the child at `path` in `parent`, if it runs.
    func running(_ path: TracePath, in parent: Node) async -> ProcessRef? {
        await parent.children()?.first { $0.id == path.last && $0.process != nil }?.process
    }

    /// Waits until the exit of a child of `chain.last` has been dealt with by every supervisor
    /// it reaches: when a supervisor answers a call, the exit message queued before the call is
    /// handled; a supervisor that gave up answers nothing, and then its parent has its exit to
    /// handle. Returns `false` when the root itself gave up.
    static func settle(_ chain: [Node]) async -> Bool {
        for node in chain.reversed() {
            if await node.children() != nil { return true }
            await node.process.waitForExit()
        }
        return false
    }

    /// The spec of a new worker at `path` for `start_child`.
    static func workerSpec(_ path: TracePath, restart: RestartType?, in parent: Node) -> ChildSpec {
        switch parent {
        case .ordered: return TraceChild.spec(id: path.last, restart: restart ?? .permanent)
        case .dynamic(_, let workerRestart): return TraceChild.spec(id: path.last, restart: workerRestart)
        }
    }
}
