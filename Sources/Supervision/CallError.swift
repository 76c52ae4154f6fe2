/// Why a `call` did not produce a reply.
public enum CallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No reply within the timeout. The server may still handle the request later; that reply
    /// is dropped.
    case timeout
    /// The server was not running when the call was made.
    case noProcess
    /// The server exited before replying, with this reason.
    case exited(ExitReason)

    public var description: String {
        switch self {
        case .timeout: return "call timed out"
        case .noProcess: return "no process"
        case .exited(let reason): return "process exited (\(reason))"
        }
    }
}
