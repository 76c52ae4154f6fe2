/// Why the admin socket could not be opened. Each case names the path, so the operator knows
/// which file to look at.
public enum AdminServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process (most likely another lassod) answers on the socket.
    case alreadyInUse(path: String)
    /// Something that is not a socket exists at the path; it is left alone.
    case notASocket(path: String)
    /// The path is empty, abstract (`@…`) or longer than a Unix socket address holds.
    case invalidPath(path: String, reason: String)
    /// The socket could not be created or bound (missing directory, no permission).
    case bindFailed(path: String, reason: String)
    /// The event loop is stopped.
    case loopStopped

    public var description: String {
        switch self {
        case .alreadyInUse(let path): "admin socket \(path) is in use by another process (is another lassod running?)"
        case .notASocket(let path): "admin socket path \(path) exists and is not a socket; not replacing it"
        case .invalidPath(let path, let reason): "invalid admin socket path \"\(path)\": \(reason)"
        case .bindFailed(let path, let reason): "cannot listen on admin socket \(path): \(reason)"
        case .loopStopped: "the event loop is stopped"
        }
    }
}
