/// What a supervisor knows about one child: its spec, its current process, and its history.
struct ChildRecord: Sendable {
    var spec: ChildSpec
    /// The running incarnation; `nil` while restarting or stopped.
    var process: ProcessRef?
    var status: TreeSnapshot.Status
    var restarts = 0
    /// Consecutive quick restarts, for `RestartBackoff`.
    var backoffAttempt = 0

    init(spec: ChildSpec, process: ProcessRef) {
        self.spec = spec
        self.process = process
        status = .running
    }

    var id: String { spec.id }

    func info() -> ChildInfo {
        ChildInfo(id: spec.id, process: process, status: status, kind: spec.kind, restarts: restarts)
    }

    func snapshot(runtime: Runtime) async -> TreeSnapshot {
        if let process {
            return await TreeSnapshot.of(process, name: spec.id, kind: spec.kind == .supervisor ? .supervisor : .worker,
                                         restarts: restarts, runtime: runtime)
        }
        return TreeSnapshot(name: spec.id, pid: nil, kind: spec.kind == .supervisor ? .supervisor : .worker,
                            strategy: nil, status: status, restarts: restarts, mailboxDepth: 0,
                            uptimeSeconds: nil, children: [])
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
