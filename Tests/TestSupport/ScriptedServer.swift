import Foundation
import Synchronization
import LassoTransport

/// A raw TCP server whose every accepted connection runs `script` on a thread of its own: for
/// upstreams that misbehave on purpose (garbage, drips, resets, hostile WebSocket frames).
public final class ScriptedServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let counter = Counter()
    private let stopped = Atomic<Bool>(false)
    private let acceptorDone = DispatchSemaphore(value: 0)

    /// Connections accepted so far.
    public var accepted: Int { counter.value.load(ordering: .relaxed) }

    private final class Counter: Sendable { let value = Atomic<Int>(0) }

    public init?(script: @escaping @Sendable (_ connection: RawSocket, _ index: Int) -> Void) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            return nil
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let counter = self.counter, acceptorDone = self.acceptorDone
        Thread {
            defer { acceptorDone.signal() }
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                let index = counter.value.add(1, ordering: .relaxed).newValue - 1
                Thread { script(RawSocket(fd: client), index) }.start()
            }
        }.start()
    }

    /// Stops accepting (connections already running finish their scripts). The listener is
    /// closed once its accepting thread has left `accept`: a descriptor number closed under a
    /// thread still using it may already belong to another test's socket.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptorDone.wait()
        close(listener)
    }

    deinit { stop() }
}

extension RawSocket {
    /// Answers a WebSocket opening handshake read from this connection; false if it was not one.
    public func acceptWebSocket() -> Bool {
        guard let head = readHead(),
              let keyLine = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("sec-websocket-key:") }) else {
            return false
        }
        let key = keyLine.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
        return send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: \(WebSocketHandshake.acceptValue(for: key))\r\n\r\n")
    }

    /// An unmasked server frame.
    public static func serverFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        return out + payload
    }
}

extension ScriptedServer {
    /// A server that, on each connection, reads a request head, sends `response` as given
    /// (truncated, malformed, empty) and closes: for responses a real server would never send.
    public static func answering(_ response: String) -> ScriptedServer? {
        ScriptedServer { connection, _ in
            _ = connection.readHead()
            connection.send(response)
        }
    }
}
