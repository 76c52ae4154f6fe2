/// Something a supervisor did or saw, for lassod's log and dashboard and `supervision-trace`.
public struct SupervisionEvent: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// A child was started (at supervisor start, or by `startChild` / `restartChild`).
        case started
        /// A child exited on its own (crash or normal exit); `reason` says how.
        case exited
        /// A child was started again by its supervisor's restart strategy.
        case restarted
        /// The supervisor stopped a child (strategy, `terminateChild`, shutdown) and it stopped.
        case stopped
        /// A child did not stop within its shutdown timeout (or was brutally killed) and was
        /// abandoned.
        case killed
        /// The supervisor exceeded its restart intensity and is shutting down.
        case intensityExceeded = "intensity_exceeded"
    }

    public var kind: Kind
    /// The supervisor's name.
    public var supervisor: String
    /// The child's id (`nil` for `intensityExceeded`).
    public var child: String?
    public var pid: PID?
    /// The exit reason, for `exited`, `stopped` and `killed`.
    public var reason: String?
    /// When it happened, on the runtime clock, in nanoseconds.
    public var atNanoseconds: UInt64

    public var description: String {
        var text = "\(kind.rawValue) \(supervisor)"
        if let child { text += "/\(child)" }
        if let pid { text += " \(pid)" }
        if let reason { text += " (\(reason))" }
        return text
    }
}
