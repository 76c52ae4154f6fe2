import Foundation

/// Why a ``LoopSocket`` closed without its owner asking.
enum SocketFailure: Error, Equatable, CustomStringConvertible {
    /// The TCP (or Unix) connect failed with this `errno`.
    case connectFailed(errno: Int32)
    /// The TLS handshake failed (untrusted certificate, name mismatch, protocol error).
    case tlsFailed(reason: String)
    /// A read or write failed with this `errno` (reset by the peer, say).
    case ioFailed(errno: Int32)
    /// The loop stopped with the socket open.
    case loopStopped

    var description: String {
        switch self {
        case .connectFailed(let code): "connect failed: \(String(cString: strerror(code)))"
        case .tlsFailed(let reason): "TLS failed: \(reason)"
        case .ioFailed(let code): "I/O failed: \(String(cString: strerror(code)))"
        case .loopStopped: "event loop stopped"
        }
    }
}
