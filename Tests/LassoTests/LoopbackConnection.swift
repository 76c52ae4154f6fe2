import Foundation

/// A blocking HTTP/1.1 client connection over loopback that stays open between requests, for
/// tests that watch connection-level behaviour (keep-alive, `connection: close`, refused
/// connects). Reads time out after 10 s, so a test fails instead of hanging.
final class LoopbackConnection: @unchecked Sendable {
    // @unchecked: used by one test thread at a time; the descriptor is fixed after init.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Response {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: String
    }

    private let fd: Int32
    private var buffered: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; throws with the errno when the connect fails.
    init(port: Int) throws {
        let (fd, error) = Self.connect(port: port)
        guard fd >= 0 else { throw Failure(description: "connect to port \(port) failed: errno \(error)") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Whether a connect to 127.0.0.1:`port` is refused (ECONNREFUSED) right now.
    static func isRefused(port: Int) -> Bool {
        let (fd, error) = connect(port: port)
        if fd >= 0 { close(fd) }
        return fd < 0 && error == ECONNREFUSED
    }

    private static func connect(port: Int) -> (Int32, Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (-1, errno) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            close(fd)
            return (-1, error)
        }
        return (fd, 0)
    }

    /// Sends a keep-alive request, with `headers` after `Host` (and the body's headers).
    func send(_ method: String, _ path: String, body: String = "", headers: [(name: String, value: String)] = []) throws {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for header in headers { request += "\(header.name): \(header.value)\r\n" }
        if method == "POST" {
            request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        let bytes = Array((request + "\r\n" + body).utf8)
        guard Foundation.send(fd, bytes, bytes.count, 0) == bytes.count else { throw Failure(description: "send failed") }
    }

    /// Reads one response (by its content-length).
    func readResponse() throws -> Response {
        var headEnd: Int?
        while true {
            if headEnd == nil, let end = Self.find([13, 10, 13, 10], in: buffered) { headEnd = end }
            if let headEnd {
                let head = String(decoding: buffered[..<headEnd], as: UTF8.self)
                var headers: [String: String] = [:]
                for line in head.split(separator: "\r\n").dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                let bodyStart = headEnd + 4
                if buffered.count >= bodyStart + length {
                    let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                    let body = String(decoding: buffered[bodyStart..<(bodyStart + length)], as: UTF8.self)
                    buffered.removeFirst(bodyStart + length)
                    return Response(status: status, headers: headers, body: body)
                }
            }
            guard try receive() else { throw Failure(description: "connection closed before a complete response") }
        }
    }

    /// Whether the server closes the connection (EOF) before sending anything more.
    func readsEndOfStream() -> Bool {
        guard buffered.isEmpty else { return false }
        return (try? receive()) == false
    }

    /// Appends what arrives; false at end of stream.
    private func receive() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count == 0 { return false }
        guard count > 0 else {
            if errno == ECONNRESET { return false }
            throw Failure(description: "recv failed: errno \(errno)")
        }
        buffered.append(contentsOf: chunk[0..<count])
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    /// Runs blocking socket work on a global queue, off the cooperative pool the tree runs on.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
