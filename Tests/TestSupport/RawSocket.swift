import Foundation

/// The tests' one loopback client: a blocking socket (TCP on 127.0.0.1, or a Unix socket) that
/// sends exact bytes and reads exact bytes, every read bounded by a deadline so that a broken
/// server fails the test instead of hanging it. HTTP/1.1 requests and responses, lines, and
/// WebSocket frames (`RawWebSocket.swift`) are read and written on top of it.
///
/// Its reads block, bounded by the read deadline. In an async context the reads that wait on the
/// peer have async flavours that block a thread of their own (`offPool`), never the cooperative
/// pool: `await socket.readResponse()`.
///
/// ```swift
/// let socket = try #require(RawSocket(port: server.port))
/// socket.send(httpRequest("GET", "/api/health"))
/// #expect(socket.readResponse()?.status == 200)
/// #expect(socket.readsEndOfStream())    // after a `connection: close` reply
/// ```
public final class RawSocket: @unchecked Sendable {
    // @unchecked: used by one thread at a time (the test's); the descriptor is fixed after init.
    public let fd: Int32
    /// Bytes received and not yet consumed by a framed read.
    private var pending: [UInt8] = []

    /// Connects to `host:port` over TCP; nil when the connect fails (refused, say).
    /// `receiveBuffer` shrinks the kernel's receive buffer first, for a client that stops reading.
    public convenience init?(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 10,
                             receiveBuffer: Int32? = nil) {
        guard let fd = Self.connect(port: port, host: host, receiveBuffer: receiveBuffer).fd else { return nil }
        self.init(fd: fd, timeoutSeconds: timeoutSeconds)
    }

    /// Connects to the Unix socket at `path`; nil when nothing listens there.
    public convenience init?(unixSocket path: String, timeoutSeconds: Int = 10) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8.prefix(capacity - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        self.init(fd: fd, timeoutSeconds: timeoutSeconds)
    }

    /// Wraps an already connected descriptor (an accepted one), with the same read deadline.
    public init(fd: Int32, timeoutSeconds: Int = 10) {
        self.fd = fd
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Whether a TCP connect to 127.0.0.1:`port` is refused (ECONNREFUSED) right now.
    public static func isRefused(port: Int) -> Bool {
        let (fd, error) = connect(port: port, host: "127.0.0.1", receiveBuffer: nil)
        if let fd { Glibc.close(fd) }
        return fd == nil && error == ECONNREFUSED
    }

    private static func connect(port: Int, host: String, receiveBuffer: Int32?) -> (fd: Int32?, error: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (nil, errno) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            Glibc.close(fd)
            return (nil, error)
        }
        return (fd, 0)
    }

    // MARK: Closing

    /// Closes with RST instead of FIN (SO_LINGER 0): an abrupt client.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Half-closes: sends FIN, keeps reading.
    public func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    // MARK: Sending

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends every byte; false when the peer is gone or the send deadline passed.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Bytes sent that the peer has not read yet (the kernel's TIOCOUTQ); nil if it cannot tell.
    public var unreadByPeer: Int? {
        var unread: Int32 = 0
        return ioctl(fd, UInt(TIOCOUTQ), &unread) == 0 ? Int(unread) : nil
    }

    // MARK: Receiving

    /// Reads whatever arrives next; empty on EOF, nil on timeout or error.
    public func receive(max: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        if n < 0 { return nil }
        return Array(buffer[0..<n])
    }

    /// True when the peer closed the connection (EOF or reset) before the read timeout, whatever
    /// it sent first.
    public func waitForClose() -> Bool {
        while true {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// True when the next thing the peer does is close the connection (EOF or reset): nothing
    /// more arrives first, neither buffered nor on the wire.
    public func readsEndOfStream() -> Bool {
        guard pending.isEmpty else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }

    /// True when nothing has arrived, without waiting.
    public func nothingPending() -> Bool {
        var byte: UInt8 = 0
        return pending.isEmpty && recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) < 0 && errno == EAGAIN
    }

    /// Reads exactly `count` bytes (nil on EOF/timeout).
    public func receiveExactly(_ count: Int) -> [UInt8]? {
        while pending.count < count {
            guard let chunk = receive(), !chunk.isEmpty else { return nil }
            pending += chunk
        }
        let out = Array(pending[0..<count])
        pending.removeFirst(count)
        return out
    }

    /// The next line, without its `\n`; nil on EOF or timeout.
    public func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            guard let chunk = receive(), !chunk.isEmpty else { return nil }
            pending += chunk
        }
    }

    /// Reads up to and including the blank line that ends an HTTP head; nil on EOF. Reads the
    /// socket a byte at a time, so that nothing after the head (a WebSocket's first frames) is
    /// taken from the kernel before the caller asks.
    public func readHead() -> String? {
        if Self.headerEnd(pending) == nil {
            while !pending.suffix(4).elementsEqual([13, 10, 13, 10]) {
                guard let byte = receive(max: 1), !byte.isEmpty else { return nil }
                pending += byte
            }
        }
        guard let end = Self.headerEnd(pending) else { return nil }
        let head = String(decoding: pending[..<(end + 4)], as: UTF8.self)
        pending.removeFirst(end + 4)
        return head
    }

    /// Reads one HTTP/1.1 response framed by Content-Length (a `HEAD` response has none to
    /// read, whatever its content-length says; nor do 1xx, 204 and 304).
    public func readResponse(toHead: Bool = false) -> RawResponse? {
        while true {
            if let end = Self.headerEnd(pending) {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let bodiless = toHead || (100..<200).contains(status) || status == 204 || status == 304
                let length = bodiless ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                pending.removeFirst(end + 4)
                guard let body = receiveExactly(length) else { return nil }
                return RawResponse(status: status, headers: headers, body: body, head: head)
            }
            guard let chunk = receive(), !chunk.isEmpty else { return nil }
            pending += chunk
        }
    }

    /// Reads a request head and its Content-Length body: what a scripted server does.
    public func readRequest() -> (head: String, body: [UInt8])? {
        guard let head = readHead() else { return nil }
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        guard let body = receiveExactly(length) else { return nil }
        return (head, body)
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    // MARK: One-shot requests

    /// `GET path` on a fresh connection that asks to be closed after the reply.
    public static func get(port: Int, _ path: String, headers: [(name: String, value: String)] = []) -> RawResponse? {
        guard let socket = RawSocket(port: port) else { return nil }
        socket.send(httpRequest("GET", path, headers: headers + [(name: "Connection", value: "close")]))
        return socket.readResponse()
    }
}

public struct RawResponse: Sendable {
    public init(status: Int, headers: [String: String], body: [UInt8], head: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
        self.head = head
    }

    public let status: Int
    /// Lower-cased names.
    public let headers: [String: String]
    public let body: [UInt8]
    /// Status line and header lines as received.
    public var head = ""
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// An HTTP/1.1 request as a client writes it: the request line, `Host`, `headers` in order, and
/// for a POST the body's `Content-Type: application/json` and `Content-Length`.
public func httpRequest(_ method: String, _ path: String, body: String = "",
                        headers: [(name: String, value: String)] = []) -> String {
    var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for header in headers { request += "\(header.name): \(header.value)\r\n" }
    if method == "POST" {
        request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
    }
    return request + "\r\n" + body
}

/// A POST of a JSON body (`httpRequest`).
public func postRequest(_ path: String, _ body: String) -> String {
    httpRequest("POST", path, body: body)
}

/// A GET without a body (`httpRequest`).
public func getRequest(_ path: String) -> String {
    httpRequest("GET", path)
}

// MARK: - Async flavours

extension RawSocket {
    /// `readResponse` off the cooperative pool.
    public func readResponse(toHead: Bool = false) async -> RawResponse? {
        await offPool { self.readResponse(toHead: toHead) }
    }

    /// `readLine` off the cooperative pool.
    public func readLine() async -> String? {
        await offPool { self.readLine() }
    }

    /// `waitForClose` off the cooperative pool.
    public func waitForClose() async -> Bool {
        await offPool { self.waitForClose() }
    }

    /// `readsEndOfStream` off the cooperative pool.
    public func readsEndOfStream() async -> Bool {
        await offPool { self.readsEndOfStream() }
    }

    /// `upgrade` off the cooperative pool.
    public func upgrade(path: String = "/ws") async -> Bool {
        await offPool { self.upgrade(path: path) }
    }

    /// `receive` off the cooperative pool.
    public func receive(max: Int = 65536) async -> [UInt8]? {
        await offPool { self.receive(max: max) }
    }

    /// `readFrame` off the cooperative pool.
    public func readFrame() async -> (opcode: UInt8, payload: [UInt8])? {
        await offPool { self.readFrame() }
    }

    /// `readCloseCode` off the cooperative pool.
    public func readCloseCode() async -> UInt16? {
        await offPool { self.readCloseCode() }
    }

    /// `get` off the cooperative pool.
    public static func get(port: Int, _ path: String, headers: [(name: String, value: String)] = []) async -> RawResponse? {
        await offPool { get(port: port, path, headers: headers) }
    }
}
