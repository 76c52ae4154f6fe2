/// A broken invariant of the runtime itself, reported as a process's exit reason
/// (`ExitReason.failed`) rather than a trap: a trap would end the whole OS process, while a failed
/// process is seen by its supervisor, which restarts it.
enum RuntimeFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// The process's drainer found no server state to handle its next message with.
    case stateMissing(process: String)

    var description: String {
        switch self {
        case .stateMissing(let process): return "runtime fault: \(process) has no state to handle its messages"
        }
    }
}
