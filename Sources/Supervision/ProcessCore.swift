import Synchronization

/// The part of a running process that other processes can see: identity, liveness, exit
/// reason, monitors, and the controls a supervisor needs (stop, kill, introspect).
///
/// `ServerCore` (a GenServer's mailbox loop) is the concrete subclass. Exit is recorded exactly
/// once by `finish`: the first reason wins, so an abandoned task that ends late after being
/// recorded as `killed` changes nothing. Monitors fire before exit waiters resume, so whoever
/// waits for an exit can rely on every monitor's side effect (such as a supervisor's exit
/// message being queued) having happened.
class ProcessCore: @unchecked Sendable {
    // @unchecked: every mutable field lives in `life`, behind its mutex; the rest are `let`s.
    let pid: PID
    let label: String
    let runtime: Runtime
    let startedAt: RuntimeInstant

    private struct Life {
        var exitReason: ExitReason?
        /// Set once every monitor has fired: from then on exit observers run at once.
        var monitorsFired = false
        var monitors: [UInt64: @Sendable (UInt64, ExitReason) -> Void] = [:]
        var nextMonitorID: UInt64 = 0
        var exitObservers: [@Sendable (ExitReason) -> Void] = []
    }
    private let life = Mutex(Life())

    init(label: String, runtime: Runtime) {
        pid = PID.next()
        self.label = label
        self.runtime = runtime
        startedAt = runtime.clock.now()
    }

    /// The reason the process ended, or `nil` while it runs.
    final var exitReason: ExitReason? { life.withLock { $0.exitReason } }

    final var isAlive: Bool { exitReason == nil }

    /// Records the exit. Returns `false` (and does nothing) if an exit was already recorded.
    /// Monitors fire first; only then do exit observers (and `waitForExit`) see the exit — even
    /// those that arrive while the monitors are running.
    @discardableResult
    final func finish(_ reason: ExitReason) -> Bool {
        let monitors: [(UInt64, @Sendable (UInt64, ExitReason) -> Void)]? = life.withLock { life in
            guard life.exitReason == nil else { return nil }
            life.exitReason = reason
            defer { life.monitors = [:] }
            return life.monitors.sorted { $0.key < $1.key }
        }
        guard let monitors else { return false }
        for (id, monitor) in monitors { monitor(id, reason) }
        let observers = life.withLock { life in
            life.monitorsFired = true
            defer { life.exitObservers = [] }
            return life.exitObservers
        }
        for observer in observers { observer(reason) }
        return true
    }

    /// Calls `body` once with the monitor's id and the exit reason when the process exits.
    /// Returns `nil`, without calling `body`, if the process has already exited (read
    /// `exitReason` instead).
    final func addMonitor(_ body: @escaping @Sendable (_ id: UInt64, _ reason: ExitReason) -> Void) -> UInt64? {
        life.withLock { life in
            guard life.exitReason == nil else { return nil }
            let id = life.nextMonitorID
            life.nextMonitorID += 1
            life.monitors[id] = body
            return id
        }
    }

    final func removeMonitor(_ id: UInt64) {
        _ = life.withLock { $0.monitors.removeValue(forKey: id) }
    }

    /// Calls `body` once, after the process has exited and every monitor has fired.
    final func whenExited(_ body: @escaping @Sendable (ExitReason) -> Void) {
        let reason: ExitReason? = life.withLock { life in
            if life.monitorsFired { return life.exitReason }
            life.exitObservers.append(body)
            return nil
        }
        if let reason { body(reason) }
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
