/// A handle to any running (or exited) process: worker or supervisor.
///
/// Cheap to copy and safe to share. Equality is by PID, so a handle to an old incarnation of a
/// restarted child never equals a handle to the new one.
public struct ProcessRef: Sendable, Hashable, CustomStringConvertible {
    let core: ProcessCore

    init(_ core: ProcessCore) { self.core = core }

    public var pid: PID { core.pid }

    /// The name given at start (for supervisors, the supervisor's name).
    public var label: String { core.label }

    public var isAlive: Bool { core.isAlive }

    /// Why it exited, or `nil` while it runs.
    public var exitReason: ExitReason? { core.exitReason }

    /// Asks the process to stop with `reason` (default `normal`) and returns at once.
    public func stop(_ reason: ExitReason = .normal) { core.requestStop(reason) }

    /// Suspends until the process has exited; returns the reason.
    @discardableResult
    public func waitForExit() async -> ExitReason { await core.waitForExit() }

    /// Calls `body` once, with the exit reason, when the process exits; at once with
    /// `.noProcess` if it already has (OTP's monitor semantics). Cancel with `demonitor`.
    @discardableResult
    public func monitor(_ body: @escaping @Sendable (ExitReason) -> Void) -> MonitorID {
        if let id = core.addMonitor({ _, reason in body(reason) }) { return MonitorID(pid: pid, id: id) }
        body(.noProcess)
        return MonitorID(pid: pid, id: .max)
    }

    /// Stops a monitor from firing. Safe to call after it fired.
    public func demonitor(_ monitor: MonitorID) {
        guard monitor.pid == pid else { return }
        core.removeMonitor(monitor.id)
    }

    /// Messages waiting in its mailbox.
    public var mailboxDepth: Int { core.mailboxDepth }

    public var description: String { "\(label)\(pid)" }

    public static func == (lhs: ProcessRef, rhs: ProcessRef) -> Bool { lhs.pid == rhs.pid }
    public func hash(into hasher: inout Hasher) { hasher.combine(pid) }
}

/// Identifies one monitor, for `demonitor`.
public struct MonitorID: Hashable, Sendable {
    public let pid: PID
    let id: UInt64
}

/// A monitored process exited: delivered to a GenServer's `handleDown` exactly once per monitor.
public struct Down: Sendable {
    public let monitor: MonitorID
    public let pid: PID
    public let reason: ExitReason
}
