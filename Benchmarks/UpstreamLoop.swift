import Glibc

/// One thread of the benchmark upstream: a level-triggered epoll loop over its own
/// `SO_REUSEPORT` listener and the connections it accepted. Loops share nothing, so several
/// threads scale without locks, as nginx workers do.
///
/// Each connection lives in a slot of `connections`; the slot index is the epoll event's data,
/// so finding a connection is an array index, not a dictionary lookup.
final class UpstreamLoop {
    private static let listenerToken = UInt64.max

    private let epoll: Epoll
    private let listener: Int32
    private var connections: [UpstreamConnection?] = []
    private var freeSlots: [Int] = []

    init(listener: Int32) throws {
        epoll = try Epoll(capacity: 256)
        self.listener = listener
        try epoll.add(listener, events: Epoll.readable, token: Self.listenerToken)
    }

    /// Serves until the process exits. Only an epoll failure returns, with its error.
    func run() -> PosixSocket.Failure {
        while true {
            let count = epoll.wait(timeoutMilliseconds: -1)
            if count < 0 {
                if errno == EINTR { continue }
                return PosixSocket.Failure(call: "epoll_wait", code: errno)
            }
            for index in 0..<count {
                let event = epoll.event(at: index)
                if event.token == Self.listenerToken {
                    acceptAll()
                } else {
                    serve(slot: Int(event.token), events: event.events)
                }
            }
        }
    }

    private func acceptAll() {
        while true {
            // accept4 is not in Swift's Glibc module (a GNU extension); two fcntls per connection are nothing.
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            PosixSocket.setNonBlocking(fd)
            PosixSocket.setNoDelay(fd)
            let slot = freeSlots.popLast() ?? connections.count
            if slot == connections.count { connections.append(nil) }
            do {
                try epoll.add(fd, events: Epoll.readable, token: UInt64(slot))
                connections[slot] = UpstreamConnection(fd: fd)
            } catch {
                close(fd)
                freeSlots.append(slot)
            }
        }
    }

    private func serve(slot: Int, events: UInt32) {
        guard slot < connections.count, let connection = connections[slot] else { return }
        let next: UpstreamConnection.Next
        if events & (Epoll.readable | Epoll.writable) == 0 {
            next = .close  // only an error or hang-up was reported
        } else {
            next = connection.registered == .writable ? connection.writable() : connection.readable()
        }
        switch next {
        case .close:
            close(connection.fd)  // also removes it from the epoll set
            connections[slot] = nil
            freeSlots.append(slot)
        case .readable, .writable:
            guard next != connection.registered else { return }
            // While answers wait for room, stop reading: a client that does not read its answers
            // must not make this loop buffer without bound.
            epoll.modify(connection.fd, events: next == .readable ? Epoll.readable : Epoll.writable, token: UInt64(slot))
            connection.registered = next
        }
    }
}
