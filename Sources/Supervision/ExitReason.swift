/// Why a process ended. Every restart decision is keyed off this value.
///
/// - `normal`: the process finished its work (a handler asked to stop, or it returned).
/// - `shutdown`: it was asked to stop, by its supervisor or by itself with a reason; like OTP's
///   `shutdown` / `{shutdown, Term}`.
/// - `failed`: a handler or `init` threw; the error is kept for logs.
/// - `killed`: it did not stop within its shutdown timeout (or was brutally killed) and was
///   abandoned. Swift cannot kill a Task, so an abandoned task may still run; its late exit is
///   ignored.
/// - `noProcess`: the process did not exist when it was monitored or called (OTP's `noproc`).
public enum ExitReason: Sendable, CustomStringConvertible {
    case normal
    case shutdown(String?)
    case failed(any Error)
    case killed
    case noProcess

    /// `true` for `normal` and `shutdown`: the exits after which a `transient` child stays down.
    public var isNormal: Bool {
        switch self {
        case .normal, .shutdown: return true
        case .failed, .killed, .noProcess: return false
        }
    }

    public var description: String {
        switch self {
        case .normal: return "normal"
        case .shutdown(nil): return "shutdown"
        case .shutdown(let detail?): return "shutdown: \(detail)"
        case .failed(let error): return "failed: \(error)"
        case .killed: return "killed"
        case .noProcess: return "noproc"
        }
    }
}

extension ExitReason: Equatable {
    /// Two `failed` reasons are equal when their errors print the same; errors carry no identity.
    public static func == (lhs: ExitReason, rhs: ExitReason) -> Bool {
        switch (lhs, rhs) {
        case (.normal, .normal), (.killed, .killed), (.noProcess, .noProcess): return true
        case let (.shutdown(a), .shutdown(b)): return a == b
        case let (.failed(a), .failed(b)): return String(describing: a) == String(describing: b)
        default: return false
        }
    }
}
