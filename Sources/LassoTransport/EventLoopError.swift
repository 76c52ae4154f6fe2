/// Why an ``EventLoop`` or a server on it could not start.
public enum EventLoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `lws_create_context` failed (usually out of memory or file descriptors).
    case contextCreationFailed
    /// The listening socket could not be created or bound; the address is `host:port` (or
    /// the Unix socket's path), the reason the system's.
    case listenFailed(address: String, reason: String)
    /// A TLS file (certificate, key or CA bundle) could not be read.
    case tlsFileUnreadable(path: String)
    /// OpenSSL refused the TLS configuration (a certificate that does not match its key, say).
    case tlsSetupFailed(reason: String)
    /// The loop has been stopped; nothing more can be scheduled on it.
    case stopped

    /// A message without paths or queries of upstream URLs.
    public var description: String {
        switch self {
        case .contextCreationFailed: "libwebsockets context creation failed"
        case .listenFailed(let address, let reason): "cannot listen on \(address): \(reason)"
        case .tlsFileUnreadable(let path): "TLS file unreadable: \(path)"
        case .tlsSetupFailed(let reason): "TLS setup failed: \(reason)"
        case .stopped: "event loop stopped"
        }
    }
}
