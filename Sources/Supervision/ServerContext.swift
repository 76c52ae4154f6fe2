/// What a GenServer's handlers can do to and from their own process.
public struct ServerContext<Server: GenServer>: Sendable {
    let core: ServerCore<Server>

    /// This process.
    public var ref: ServerRef<Server> { ServerRef(core) }
    public var pid: PID { core.pid }
    public var runtime: Runtime { core.runtime }

    /// Stops this process with `reason` after the current handler returns.
    public func stop(_ reason: ExitReason = .normal) { core.stopFromHandler(reason) }

    /// Delivers `message` to `handleInfo` after `delay`, unless the returned timer is cancelled.
    @discardableResult
    public func sendAfter(_ message: Server.Info, after delay: Duration) -> TimerHandle {
        let core = self.core
        return core.runtime.clock.schedule(after: delay) { _ = core.deliver(.info(message)) }
    }

    /// Monitors `other`: `handleDown` gets its exit exactly once, at once with `.noProcess` if
    /// it has already exited.
    @discardableResult
    public func monitor(_ other: ProcessRef) -> MonitorID {
        let core = self.core
        let target = other.pid
        if let id = other.core.addMonitor({ id, reason in
            _ = core.deliver(.down(Down(monitor: MonitorID(pid: target, id: id), pid: target, reason: reason)))
        }) {
            return MonitorID(pid: target, id: id)
        }
        let dead = MonitorID(pid: target, id: .max)
        _ = core.deliver(.down(Down(monitor: dead, pid: target, reason: .noProcess)))
        return dead
    }

    public func demonitor(_ monitor: MonitorID, of other: ProcessRef) { other.demonitor(monitor) }
}
