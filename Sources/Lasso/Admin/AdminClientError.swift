/// Why `lassod ctl` got no reply. Every case names the socket path.
public enum AdminClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection: no socket file, nobody listening, or no permission (`ctl` exits 2).
    case unreachable(path: String, reason: String)
    /// Connected, but the daemon closed the connection before a full reply line.
    case closedWithoutReply(path: String)
    /// Connected, but no reply line within the deadline.
    case timedOut(path: String, after: Duration)
    /// The reply line was longer than a client accepts.
    case replyTooLarge(path: String)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason): "cannot reach lassod at \(path): \(reason)"
        case .closedWithoutReply(let path): "lassod at \(path) closed the connection without replying"
        case .timedOut(let path, let timeout): "no reply from lassod at \(path) within \(Self.format(timeout)) s"
        case .replyTooLarge(let path): "the reply from lassod at \(path) is too large"
        }
    }

    /// `timeout` in seconds, without a fraction when it is whole: `10`, `0.3`.
    private static func format(_ timeout: Duration) -> String {
        let (whole, attoseconds) = timeout.components
        let seconds = Double(whole) + Double(attoseconds) / 1e18
        return seconds.isFinite && seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }
}
