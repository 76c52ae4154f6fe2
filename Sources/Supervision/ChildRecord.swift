/// What a supervisor knows about one child: its spec, where it is in its life, and its history.
struct ChildRecord: Sendable {
    var spec: ChildSpec
    var lifecycle: ChildLifecycle
    /// How many times the strategy has restarted it.
    var restarts = 0
    /// Consecutive quick restarts, for `RestartBackoff`.
    var backoffAttempt = 0

    init(spec: ChildSpec, process: ProcessRef) {
        self.spec = spec
        lifecycle = .running(process)
    }

    var id: String { spec.id }

    /// The running process; `nil` while restarting or stopped.
    var process: ProcessRef? { lifecycle.process }

    func info() -> ChildInfo {
        ChildInfo(id: spec.id, process: process, status: lifecycle.status, kind: spec.kind, restarts: restarts)
    }

    func snapshot(runtime: Runtime) async -> TreeSnapshot {
        let kind: TreeSnapshot.Kind = spec.kind == .supervisor ? .supervisor : .worker
        if let process {
            return await TreeSnapshot.of(process, name: spec.id, kind: kind, restarts: restarts, runtime: runtime)
        }
        return TreeSnapshot(name: spec.id, pid: nil, kind: kind, strategy: nil, status: lifecycle.status,
                            restarts: restarts, mailboxDepth: 0, uptimeSeconds: nil, children: [])
    }
}

extension [ChildRecord] {
    func counts() -> ChildCounts {
        var counts = ChildCounts(specs: count, active: 0, supervisors: 0, workers: 0)
        for record in self {
            if record.process?.isAlive == true { counts.active += 1 }
            if record.spec.kind == .supervisor { counts.supervisors += 1 } else { counts.workers += 1 }
        }
        return counts
    }
}
