/// Where one child is in its life, as its supervisor sees it.
///
/// The one record of it: which process runs the child and whether the child is running,
/// restarting or stopped cannot disagree, because the process exists only in `running`. Whether
/// that process is still alive is the process's own business (`ProcessLifecycle`): between its
/// exit and the supervisor handling the exit message, a child is `running` a dead process.
///
/// The transitions are here too: `start` makes a child `running`; `stop` makes it `stopped`
/// and stops its process as its spec's `Shutdown` says.
enum ChildLifecycle: Sendable {
    /// Running as this process, started at `process.core.startedAt`.
    case running(ProcessRef)
    /// Waiting to start again: a backoff timer or a retry message is on its way to the supervisor.
    case restarting
    /// Not running; its spec is kept (terminated by the API, a transient child's normal exit, or
    /// stopped as its supervisor shuts down).
    case stopped

    /// The process running the child, if it is `running`.
    var process: ProcessRef? {
        guard case .running(let process) = self else { return nil }
        return process
    }

    /// How `whichChildren` and `TreeSnapshot` show it.
    var status: TreeSnapshot.Status {
        switch self {
        case .running: return .running
        case .restarting: return .restarting
        case .stopped: return .stopped
        }
    }

    /// What `restartChild` and `deleteChild` answer for a child that is not stopped; `nil` when
    /// it is.
    var notStoppedError: SupervisorError? {
        switch self {
        case .running: return .running
        case .restarting: return .restarting
        case .stopped: return nil
        }
    }

    /// Starts `spec`, binds its name, and arranges for `onExit` to be called once when it exits.
    ///
    /// If the name is taken by a live process the new process is killed and this throws
    /// `alreadyStarted`. A child that dies before the monitor is attached still reports its exit.
    static func start(_ spec: ChildSpec, runtime: Runtime,
                      onExit: @escaping @Sendable (PID, ExitReason) -> Void) async throws -> ProcessRef {
        let process = try await spec.start(runtime)
        if let name = spec.name {
            do {
                try name.bind(process)
            } catch {
                process.core.kill()
                throw error
            }
        }
        let pid = process.pid
        if process.core.addMonitor({ _, reason in onExit(pid, reason) }) == nil {
            onExit(pid, process.exitReason ?? .noProcess)
        }
        return process
    }

    /// Makes a running child `stopped`, then stops its process as `shutdown` says and reports it
    /// (`stopped`, or `killed` when abandoned). The process is forgotten before it is asked to
    /// stop, so its exit message finds no child and restarts nothing. Nothing happens to a child
    /// that is not running.
    mutating func stop(shutdown: Shutdown, childID: String, supervisor: String, runtime: Runtime) async {
        guard let process else { return }
        self = .stopped
        await Self.stopAll([(process, shutdown, childID)], supervisor: supervisor, runtime: runtime)
    }

    /// Stops processes as their `shutdown` says, all at once (a dynamic supervisor's shutdown):
    /// every child is asked first, then each is waited for until its own deadline, counted from
    /// now. Emits `stopped`, or `killed` for a child abandoned past its deadline or killed
    /// brutally.
    ///
    /// `timeout`: ask, wait, then abandon as `killed`. `infinity`: ask and wait. `brutalKill`:
    /// abandon at once.
    static func stopAll(_ children: [(process: ProcessRef, shutdown: Shutdown, childID: String)],
                        supervisor: String, runtime: Runtime) async {
        let start = runtime.clock.now()
        for child in children {
            if child.shutdown == .brutalKill { child.process.core.kill() } else { child.process.core.requestStop(.shutdown(nil)) }
        }
        for child in children {
            let reason: ExitReason
            switch child.shutdown {
            case .brutalKill:
                reason = child.process.exitReason ?? .killed
            case .infinity:
                reason = await child.process.core.waitForExit()
            case .timeout(let limit):
                if let exited = await child.process.core.waitForExit(until: start + limit) {
                    reason = exited
                } else {
                    child.process.core.kill()
                    reason = child.process.exitReason ?? .killed
                }
            }
            let kind: SupervisionEvent.Kind = reason == .killed ? .killed : .stopped
            runtime.events.emit(kind, supervisor: supervisor, child: child.childID, pid: child.process.pid, reason: reason)
        }
    }
}
