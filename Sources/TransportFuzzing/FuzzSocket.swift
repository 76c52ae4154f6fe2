import Foundation

/// A blocking loopback TCP socket for attackers and hostile upstreams: every read and write is
/// bounded by a timeout, so a fuzz round always ends.
final class FuzzSocket {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; nil when refused.
    init?(port: Int, timeout: Duration = .seconds(1)) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        Self.setTimeouts(fd, timeout)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Wraps an accepted descriptor.
    init(accepted: Int32, timeout: Duration = .seconds(1)) {
        fd = accepted
        Self.setTimeouts(fd, timeout)
    }

    deinit { close(fd) }

    private static func setTimeouts(_ fd: Int32, _ timeout: Duration) {
        var value = timeout.socketTimeout
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    /// Next bytes; empty at EOF, nil on timeout or error.
    func receive(max: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        return count < 0 ? nil : Array(buffer[0..<count])
    }

    /// Reads until EOF, error or timeout, at most `limit` bytes; returns what arrived.
    func drain(limit: Int = 1 << 20) -> [UInt8] {
        var all: [UInt8] = []
        while all.count < limit, let chunk = receive(), !chunk.isEmpty { all += chunk }
        return all
    }

    /// Reads until `marker` appears (or EOF/timeout); returns everything read.
    func read(until marker: [UInt8], limit: Int = 1 << 20) -> [UInt8] {
        var all: [UInt8] = []
        while all.count < limit, !Self.contains(all, marker), let chunk = receive(), !chunk.isEmpty { all += chunk }
        return all
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Makes the close an abrupt reset.
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }
}
