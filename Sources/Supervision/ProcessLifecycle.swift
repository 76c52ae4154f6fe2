/// Where a process is in its life: the one record of it, kept by `ProcessCore` under its lock.
///
/// A process runs until its exit is recorded, exactly once: the first reason wins, so an
/// abandoned task that ends late after being recorded as `killed` changes nothing. Then its
/// monitors fire, and only after them its exit observers (`waitForExit`), so whoever waits for an
/// exit finds every monitor's side effect done (for a supervisor: its exit message queued). Each
/// state holds only what it needs: monitors exist while the process runs, observers wait only
/// while the monitors fire.
enum ProcessLifecycle {
    typealias Monitor = @Sendable (_ id: UInt64, _ reason: ExitReason) -> Void
    typealias ExitObserver = @Sendable (ExitReason) -> Void

    /// Who is told when a running process exits.
    struct Watchers {
        /// In the order they were added, which is id order.
        var monitors: [(id: UInt64, body: Monitor)] = []
        var nextMonitorID: UInt64 = 0
        var exitObservers: [ExitObserver] = []
    }

    /// Running.
    case running(Watchers)
    /// The exit is recorded and the monitors are firing; observers that come now wait for them.
    case exiting(ExitReason, exitObservers: [ExitObserver])
    /// Exited, every monitor fired: observers run at once.
    case exited(ExitReason)

    /// `nil` while running.
    var exitReason: ExitReason? {
        switch self {
        case .running: return nil
        case .exiting(let reason, _), .exited(let reason): return reason
        }
    }

    /// Adds a monitor and returns its id; `nil` once the exit is recorded.
    mutating func addMonitor(_ body: @escaping Monitor) -> UInt64? {
        guard case .running(var watchers) = self else { return nil }
        let id = watchers.nextMonitorID
        watchers.nextMonitorID += 1
        watchers.monitors.append((id, body))
        self = .running(watchers)
        return id
    }

    mutating func removeMonitor(_ id: UInt64) {
        guard case .running(var watchers) = self else { return }
        watchers.monitors.removeAll { $0.id == id }
        self = .running(watchers)
    }

    /// Records the exit: the monitors to fire now, in the order they were added; `nil` if an
    /// exit was already recorded.
    mutating func recordExit(_ reason: ExitReason) -> [(id: UInt64, body: Monitor)]? {
        guard case .running(let watchers) = self else { return nil }
        self = .exiting(reason, exitObservers: watchers.exitObservers)
        return watchers.monitors
    }

    /// The monitors have fired: returns the observers that waited for them.
    mutating func monitorsFired() -> [ExitObserver] {
        guard case .exiting(let reason, let observers) = self else { return [] }
        self = .exited(reason)
        return observers
    }

    /// Queues `observer` for after the monitors, or returns the reason when they have fired
    /// already (the caller runs it at once, outside the lock).
    mutating func addExitObserver(_ observer: @escaping ExitObserver) -> ExitReason? {
        switch self {
        case .running(var watchers):
            watchers.exitObservers.append(observer)
            self = .running(watchers)
            return nil
        case .exiting(let reason, var observers):
            observers.append(observer)
            self = .exiting(reason, exitObservers: observers)
            return nil
        case .exited(let reason):
            return reason
        }
    }
}
