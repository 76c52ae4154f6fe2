import Supervision

/// The result of `kill PATH`: the path and the pid of the process that was crashed (its
/// supervisor restarts it under a new pid).
public struct AdminKillResult: Sendable, Codable, Equatable {
    /// The tree path as given.
    public var path: String
    /// The pid of the process that was stopped.
    public var killed: PID

    /// A result as given.
    public init(path: String, killed: PID) {
        self.path = path
        self.killed = killed
    }
}
