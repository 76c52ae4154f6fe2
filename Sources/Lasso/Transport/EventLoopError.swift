/// Why an ``EventLoop`` or a server on it could not start.
public enum EventLoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `lws_create_context` failed (usually out of memory or file descriptors).
    case contextCreationFailed
    /// `lws_create_vhost` failed for a listener; the address is `host:port`.
    case listenFailed(address: String)
    /// A TLS file (certificate, key or CA bundle) could not be read.
    case tlsFileUnreadable(path: String)
    /// The loop has been stopped; nothing more can be scheduled on it.
    case stopped

    /// A message without paths or queries of upstream URLs.
    public var description: String {
        switch self {
        case .contextCreationFailed: "libwebsockets context creation failed"
        case .listenFailed(let address): "cannot listen on \(address)"
        case .tlsFileUnreadable(let path): "TLS file unreadable: \(path)"
        case .stopped: "event loop stopped"
        }
    }
}
