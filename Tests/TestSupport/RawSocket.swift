import Foundation

/// A blocking TCP client for tests: exact bytes out, exact bytes in, every read bounded by a
/// deadline so a broken server fails the test instead of hanging it.
public final class RawSocket: @unchecked Sendable {
    public let fd: Int32

    public init?(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 10, receiveBuffer: Int32? = nil) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
    }

    /// Wraps an already connected descriptor (an accepted one), with the same read deadline.
    public init(fd: Int32, timeoutSeconds: Int = 10) {
        self.fd = fd
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Closes with RST instead of FIN (SO_LINGER 0): an abrupt client.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Half-closes: sends FIN, keeps reading.
    public func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

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

    /// Reads whatever arrives next; empty on EOF, nil on timeout or error.
    public func receive(max: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        if n < 0 { return nil }
        return Array(buffer[0..<n])
    }

    /// True when the peer closed the connection (EOF or reset) before the read timeout.
    public func waitForClose() -> Bool {
        while true {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    private var pending: [UInt8] = []

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

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}

public struct RawResponse {
    public init(status: Int, headers: [String: String], body: [UInt8], head: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
        self.head = head
    }

    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]
    /// Status line and header lines as received.
    public var head = ""
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A POST request with the given body, framed by Content-Length.
public func postRequest(_ path: String, _ body: String, extraHeaders: String = "") -> String {
    "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extraHeaders)\r\n\(body)"
}

public func getRequest(_ path: String) -> String {
    "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
}

/// Open file descriptors of this process.
public func openFileCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// The open descriptors with what each points at (`socket:[…]`, a path, `anon_inode:…`), to
/// name what a leak check found.
public func openFiles() -> [String: String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    var files: [String: String] = [:]
    for name in names {
        files[name] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")) ?? "?"
    }
    return files
}
