import Foundation

/// Opening the client end of a connection: a non-blocking socket whose connect has started.
enum ClientSocket {
    /// A socket connecting to `address`, and whether the connect is still in progress (TCP
    /// usually is; a Unix socket usually is not); or why it could not even start.
    static func connect(to address: SocketAddress) -> Result<(fd: Int32, inProgress: Bool), SocketFailure> {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.connectFailed(errno: errno)) }
        if address.family != AF_UNIX {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if result == 0 { return .success((fd, false)) }
        let code = errno
        guard code == EINPROGRESS || code == EAGAIN else {
            close(fd)
            return .failure(.connectFailed(errno: code))
        }
        return .success((fd, true))
    }
}
