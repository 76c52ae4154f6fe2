import Synchronization

/// The part of a running process that other processes can see: identity, liveness, exit
/// reason, monitors, and the controls a supervisor needs (stop, kill, introspect).
///
/// `ServerCore` (a GenServer's mailbox loop) is the concrete subclass. Where the process is in
/// its life is one `ProcessLifecycle` value: its exit is recorded exactly once by `finish`, and
/// its monitors fire before its exit waiters resume.
class ProcessCore: @unchecked Sendable {
    // @unchecked: the only mutable field, `lifecycle`, is behind its mutex; the rest are `let`s.
    let pid: PID
    let label: String
    let runtime: Runtime
    let startedAt: RuntimeInstant
    private let lifecycle = Mutex(ProcessLifecycle.running(ProcessLifecycle.Watchers()))

    init(label: String, runtime: Runtime) {
        pid = PID.next()
        self.label = label
        self.runtime = runtime
        startedAt = runtime.clock.now()
    }

    /// The reason the process ended, or `nil` while it runs.
    final var exitReason: ExitReason? { lifecycle.withLock { $0.exitReason } }

    final var isAlive: Bool { exitReason == nil }

    /// Records the exit. Returns `false` (and does nothing) if an exit was already recorded.
    /// Monitors fire first; only then do exit observers (and `waitForExit`) see the exit — even
    /// those that arrive while the monitors are running.
    @discardableResult
    final func finish(_ reason: ExitReason) -> Bool {
        guard let monitors = lifecycle.withLock({ $0.recordExit(reason) }) else { return false }
        for monitor in monitors { monitor.body(monitor.id, reason) }
        for observer in lifecycle.withLock({ $0.monitorsFired() }) { observer(reason) }
        return true
    }

    /// Calls `body` once with the monitor's id and the exit reason when the process exits.
    /// Returns `nil`, without calling `body`, if the process has already exited (read
    /// `exitReason` instead).
    final func addMonitor(_ body: @escaping @Sendable (_ id: UInt64, _ reason: ExitReason) -> Void) -> UInt64? {
        lifecycle.withLock { $0.addMonitor(body) }
    }

    final func removeMonitor(_ id: UInt64) {
        lifecycle.withLock { $0.removeMonitor(id) }
    }

    /// Calls `body` once, after the process has exited and every monitor has fired.
    final func whenExited(_ body: @escaping @Sendable (ExitReason) -> Void) {
        if let reason = lifecycle.withLock({ $0.addExitObserver(body) }) { body(reason) }
    }

    /// Suspends until the process has exited (and its monitors have fired); returns its reason.
    final func waitForExit() async -> ExitReason {
        await withUnsafeContinuation { continuation in
            whenExited { continuation.resume(returning: $0) }
        }
    }

    /// Suspends until the process exits or the runtime clock passes `deadline`, whichever is
    /// first; `nil` means the deadline passed first.
    final func waitForExit(until deadline: RuntimeInstant) async -> ExitReason? {
        let race = Mutex<UnsafeContinuation<ExitReason?, Never>?>(nil)
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<ExitReason?, Never>) in
            race.withLock { $0 = continuation }
            let resumeOnce: @Sendable (ExitReason?) -> Void = { value in
                let waiter = race.withLock { slot in defer { slot = nil }; return slot }
                waiter?.resume(returning: value)
            }
            let timer = runtime.clock.schedule(at: deadline) { resumeOnce(nil) }
            // If the timer wins, this observer stays until the process exits (or is killed,
            // which the caller then does): a no-op then.
            whenExited { reason in
                timer.cancel()
                resumeOnce(reason)
            }
        }
    }

    // MARK: - Controls, overridden by the concrete process

    /// Asks the process to stop with `reason` once its current handler returns; its `terminate`
    /// hook runs. Returns at once: use `waitForExit` to wait.
    func requestStop(_ reason: ExitReason) {}

    /// Records the process as `killed` now and abandons its task (cancelled, never awaited).
    func kill() {}

    /// Messages waiting in the mailbox.
    var mailboxDepth: Int { 0 }

    /// For supervisors: their strategy and children, asked of the process itself.
    /// `nil` for workers.
    func describe() async -> ProcessDescription? { nil }
}

/// What a supervisor process reports about itself for a `TreeSnapshot`.
struct ProcessDescription: Sendable {
    var strategy: String
    var children: [TreeSnapshot]
}
