import Foundation

/// The kernel socket behind a libwebsockets listener, so that a draining server can stop
/// accepting while its connections carry on. lws 4.1 has no call that closes a vhost's listen
/// socket alone (`lws_vhost_destroy` closes every connection with it), so the server finds the
/// descriptor itself and closes it underneath lws.
///
/// Finding: the listening TCP sockets of this process on the bound port that did not exist
/// before the vhost was created (`/proc/self/fd`, `SO_ACCEPTCONN`, `getsockname`).
///
/// Closing: `dup2` of a fresh, unbound Unix datagram socket over the descriptor. The listening
/// socket is released at that instant, so the kernel refuses new connections (and resets ones
/// not yet accepted), while the descriptor number stays valid: lws keeps polling it (a datagram
/// socket nobody can address never becomes readable, nor hangs up) and closes it when the vhost
/// is destroyed. A plain `close` would let the next
/// socket opened anywhere in the process reuse the number, and lws would then poll, and later
/// close, that socket.
struct ListenerDescriptor: Sendable, Equatable {
    let fd: Int32
    let port: Int

    /// Every listening TCP socket of this process, with its local port.
    static func listeningSockets() -> [Int32: Int] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [:] }
        var sockets: [Int32: Int] = [:]
        for entry in entries {
            guard let fd = Int32(entry), let port = listeningPort(fd) else { continue }
            sockets[fd] = port
        }
        return sockets
    }

    /// The listener(s) on `port` that appeared since `before` was taken.
    static func created(since before: [Int32: Int], port: Int) -> [ListenerDescriptor] {
        listeningSockets().filter { fd, boundPort in boundPort == port && before[fd] != port }
            .keys.sorted().map { ListenerDescriptor(fd: $0, port: port) }
    }

    /// Releases the listening socket; returns false when the swap failed (the socket stays open).
    func close() -> Bool {
        let placeholder = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard placeholder >= 0 else { return false }
        defer { _ = Foundation.close(placeholder) }
        // Still ours? The number could have been closed by lws and reused meanwhile.
        guard Self.listeningPort(fd) == port else { return false }
        return dup2(placeholder, fd) == fd
    }

    /// The local port when `fd` is a listening IPv4/IPv6 socket.
    private static func listeningPort(_ fd: Int32) -> Int? {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else { return nil }
        var storage = sockaddr_storage()
        var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
        }
        guard named == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }
}
