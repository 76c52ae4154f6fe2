import Supervision

/// The result of `kill PATH`: the path and the pid of the process that was crashed (its
/// supervisor restarts it under a new pid).
public struct AdminKillResult: Sendable, Codable, Equatable {
    public var path: String
    public var killed: PID

    public init(path: String, killed: PID) {
        self.path = path
        self.killed = killed
    }
}
