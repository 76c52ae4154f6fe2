/// The errors of the supervisor APIs, named after OTP's.
public enum SupervisorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `startChild` with an id (or registered name) whose process is running.
    case alreadyStarted(PID)
    /// `startChild` with an id whose spec is kept but not running.
    case alreadyPresent
    /// `restartChild` / `deleteChild` on a running child.
    case running
    /// `restartChild` / `deleteChild` on a child waiting to be restarted.
    case restarting
    /// No child with that id (or pid).
    case notFound
    /// `DynamicSupervisor.startChild` when `maxChildren` are already running or restarting.
    case maxChildren
    /// The child's start function threw.
    case startFailed(id: String, reason: String)
    /// A supervisor's own start failed because child `id` failed to start.
    case failedToStartChild(id: String, reason: String)
    /// The supervisor did not answer.
    case call(CallError)

    /// What a supervisor answers when starting child `id` threw `error`: a name taken by a live
    /// process stays `alreadyStarted`; anything else is `startFailed`.
    static func startError(id: String, _ error: any Error) -> SupervisorError {
        if let error = error as? SupervisorError, case .alreadyStarted = error { return error }
        return .startFailed(id: id, reason: String(describing: error))
    }

    public var description: String {
        switch self {
        case .alreadyStarted(let pid): return "already started (\(pid))"
        case .alreadyPresent: return "already present"
        case .running: return "running"
        case .restarting: return "restarting"
        case .notFound: return "not found"
        case .maxChildren: return "max children"
        case .startFailed(let id, let reason): return "child \(id) failed to start: \(reason)"
        case .failedToStartChild(let id, let reason): return "failed to start child \(id): \(reason)"
        case .call(let error): return "supervisor unavailable: \(error)"
        }
    }
}

/// One child as `whichChildren` reports it.
public struct ChildInfo: Sendable, Equatable {
    public var id: String
    /// The running process; `nil` while restarting or stopped.
    public var process: ProcessRef?
    public var status: TreeSnapshot.Status
    public var kind: ChildKind
    public var restarts: Int
}

/// `countChildren`'s answer.
public struct ChildCounts: Sendable, Equatable {
    /// Child specs held (running or not).
    public var specs: Int
    /// Children with a running process.
    public var active: Int
    public var supervisors: Int
    public var workers: Int
}
