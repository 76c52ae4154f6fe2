/// Starting and stopping one child: the mechanics both supervisor kinds share.
enum ChildLifecycle {
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

    /// Stops `process` as `shutdown` says and reports it; returns the exit reason.
    ///
    /// `timeout`: ask, wait, then abandon as `killed`. `infinity`: ask and wait. `brutalKill`:
    /// abandon at once. Emits `stopped`, or `killed` when the child was abandoned.
    @discardableResult
    static func stop(_ process: ProcessRef, shutdown: Shutdown, childID: String,
                     supervisor: String, runtime: Runtime) async -> ExitReason {
        let reason: ExitReason
        switch shutdown {
        case .brutalKill:
            process.core.kill()
            reason = process.exitReason ?? .killed
        case .infinity:
            process.core.requestStop(.shutdown(nil))
            reason = await process.core.waitForExit()
        case .timeout(let limit):
            process.core.requestStop(.shutdown(nil))
            if let exited = await process.core.waitForExit(until: runtime.clock.now() + limit) {
                reason = exited
            } else {
                process.core.kill()
                reason = process.exitReason ?? .killed
            }
        }
        let kind: SupervisionEvent.Kind = reason == .killed ? .killed : .stopped
        runtime.events.emit(kind, supervisor: supervisor, child: childID, pid: process.pid, reason: reason)
        return reason
    }

    /// Stops many processes at once (a dynamic supervisor's shutdown): every child is asked
    /// first, then each is waited for until its own deadline.
    static func stopAll(_ children: [(process: ProcessRef, shutdown: Shutdown, childID: String)],
                        supervisor: String, runtime: Runtime) async {
        let start = runtime.clock.now()
        for child in children {
            if child.shutdown == .brutalKill { child.process.core.kill() } else { child.process.core.requestStop(.shutdown(nil)) }
        }
        for child in children {
            var reason: ExitReason
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
