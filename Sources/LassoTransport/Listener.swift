import CLassoShim
import Foundation

/// A listening socket on an event loop: binds exactly the address it is given, accepts in
/// batches, and hands each new connection's descriptor to its owner.
///
/// Guarantees:
/// - The socket is bound to the configured address only (`127.0.0.1` is not `*`); a Unix
///   socket gets its mode before `listen`, so no client can connect while it is wider.
/// - Running out of descriptors (`EMFILE`) does not spin the loop: accepting pauses for
///   100 ms and the waiting clients stay in the kernel's backlog.
/// - ``pause()`` and ``resume()`` let the owner stop accepting (a connection limit, a drain)
///   without closing the port.
///
/// Threading: loop thread only.
final class Listener: SocketHandler {
    /// The address actually bound (the real port when 0 was asked for).
    let address: SocketAddress
    private let core: LoopCore
    private var socket: LoopSocket?
    private let onAccept: (Int32) -> Void
    private var pausedByOwner = false
    private var pausedForDescriptors = false

    private init(core: LoopCore, address: SocketAddress, onAccept: @escaping (Int32) -> Void) {
        self.core = core
        self.address = address
        self.onAccept = onAccept
    }

    /// Binds `address` and starts accepting. `unixMode` applies to Unix sockets;
    /// `reusePort` lets several loops listen on one port (the kernel spreads connections).
    static func open(core: LoopCore, address: SocketAddress, backlog: Int32 = 1024, reusePort: Bool = false,
                     unixMode: mode_t = 0o600, onAccept: @escaping (Int32) -> Void) -> Result<Listener, EventLoopError> {
        core.assertOnLoop()
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.listenFailed(address: address.description, reason: Self.reason(errno))) }
        var one: Int32 = 1
        if address.family != AF_UNIX {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            return .failure(.listenFailed(address: address.description, reason: Self.reason(code)))
        }
        if address.family == AF_UNIX, chmod(address.host, unixMode) != 0 {
            let code = errno
            Glibc.close(fd)
            return .failure(.listenFailed(address: address.description, reason: Self.reason(code)))
        }
        guard listen(fd, backlog) == 0, let actual = SocketAddress(localOf: fd) else {
            let code = errno
            Glibc.close(fd)
            return .failure(.listenFailed(address: address.description, reason: Self.reason(code)))
        }
        let listener = Listener(core: core, address: address.family == AF_UNIX ? address : actual, onAccept: onAccept)
        guard let socket = LoopSocket.adopt(fd: fd, core: core, handler: listener, connecting: false, tls: nil) else {
            return .failure(.listenFailed(address: address.description, reason: "event loop has no room for the socket"))
        }
        listener.socket = socket
        return .success(listener)
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Stops accepting; connections wait in the backlog.
    func pause() {
        core.assertOnLoop()
        pausedByOwner = true
        socket?.pauseReading()
    }

    func resume() {
        core.assertOnLoop()
        pausedByOwner = false
        if !pausedForDescriptors { socket?.resumeReading() }
    }

    /// Closes the listening socket; new connects are refused from now on.
    func close() {
        core.assertOnLoop()
        socket?.close()
        socket = nil
    }

    func socketReadable(_ socket: LoopSocket) {
        // A bounded batch per readiness report keeps one busy listener from starving the loop.
        for _ in 0..<64 {
            let fd = lasso_accept_nonblocking(socket.fd)
            if fd >= 0 {
                if address.family != AF_UNIX {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                }
                onAccept(fd)
                if pausedByOwner || self.socket == nil { return }
                continue
            }
            switch errno {
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                pauseForDescriptors()
                return
            case ECONNABORTED, EINTR, EPROTO:
                continue
            default:
                return  // EAGAIN: the backlog is empty
            }
        }
    }

    private func pauseForDescriptors() {
        guard !pausedForDescriptors, let context = core.context else { return }
        pausedForDescriptors = true
        socket?.pauseReading()
        core.timers.schedule(in: context, after: .milliseconds(100)) { [weak self] in
            guard let self else { return }
            self.pausedForDescriptors = false
            if !self.pausedByOwner { self.socket?.resumeReading() }
        }
    }

    func socketClosed(_ socket: LoopSocket) {
        self.socket = nil
    }
}
