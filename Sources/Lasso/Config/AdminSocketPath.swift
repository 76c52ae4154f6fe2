import Foundation

/// What a path must be to name the admin socket: a rule of the config (`server.admin_socket`)
/// and of `lassod ctl --socket`, checked before anything touches the file (`AdminSocketFile`).
enum AdminSocketPath {
    /// Bytes a socket path may have (`sun_path` less its terminating NUL).
    static let maxBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Why `path` cannot name an admin socket, or nil when it can.
    static func problem(with path: String) -> String? {
        if path.isEmpty { return "empty" }
        if path.utf8.contains(0) { return "contains a NUL byte" }
        if path.hasPrefix("@") { return "abstract sockets (@…) have no file permissions; use a filesystem path" }
        if path.utf8.count > maxBytes { return "longer than \(maxBytes) bytes" }
        return nil
    }
}
