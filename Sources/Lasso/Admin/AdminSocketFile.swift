import Foundation

/// The admin socket's file on disk: whether a usable one is already there, and removing ours.
///
/// Binding needs the path free, so this is where lassod decides first: nothing there or a stale
/// socket (nobody answers) may be replaced; a live socket (another lassod) or a file that is not
/// a socket may not.
///
/// The liveness test is a non-blocking POSIX `connect` whose socket is closed at once: it only
/// asks the kernel whether anyone listens. All serving goes through the event loop.
struct AdminSocketFile: Sendable {
    /// What is at the path now.
    enum Existing: Equatable {
        case nothing
        /// A socket nobody listens on: left behind by a lassod that did not stop cleanly.
        case stale
        case live
    }

    /// Device and inode: tells our socket from one another process put at the same path later.
    struct Identity: Equatable {
        let device: UInt64
        let inode: UInt64
    }

    let path: String

    /// Classifies what is at the path; an error when it must not be replaced or cannot be checked.
    func inspect() -> Result<Existing, AdminServerError> {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return .success(.nothing) }
            return .failure(.bindFailed(path: path, reason: String(cString: strerror(errno))))
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .failure(.notASocket(path: path)) }
        return probe()
    }

    private func probe() -> Result<Existing, AdminServerError> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.bindFailed(path: path, reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var address = Self.address(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result == 0 { return .success(.live) }
        switch errno {
        case EAGAIN, EINPROGRESS: return .success(.live)  // listening, backlog full
        case ECONNREFUSED: return .success(.stale)
        case ENOENT: return .success(.nothing)
        default: return .failure(.bindFailed(path: path, reason: String(cString: strerror(errno))))
        }
    }

    /// The identity of the socket at the path, nil when there is none.
    func identity() -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Removes the path if it is still the socket with `identity` (not one that replaced it).
    func remove(ifStill identity: Identity?) {
        guard let identity, self.identity() == identity else { return }
        unlink(path)
    }

    /// `path` as a Unix socket address; the caller has checked its length.
    static func address(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { destination in
            for (index, byte) in path.utf8.prefix(AdminSocketPath.maxBytes).enumerated() { destination[index] = byte }
        }
        return address
    }
}
