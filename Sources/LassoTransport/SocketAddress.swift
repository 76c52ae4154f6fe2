import Foundation

/// An IPv4, IPv6 or Unix-domain socket address, ready for `bind` and `connect`.
///
/// ```swift
/// let v4 = SocketAddress(ip: "127.0.0.1", port: 4000)     // 127.0.0.1:4000
/// let v6 = SocketAddress(ip: "::1", port: 4000)           // [::1]:4000
/// let name = SocketAddress(ip: "localhost", port: 4000)   // nil: names are resolved elsewhere
/// let unix = SocketAddress(unixPath: "/run/lassod.sock")
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct SocketAddress: CustomStringConvertible {
    private var storage = sockaddr_storage()
    /// The length `bind`/`connect` are given.
    private(set) var length: socklen_t = 0
    /// `AF_INET`, `AF_INET6` or `AF_UNIX`.
    var family: Int32 { Int32(storage.ss_family) }

    /// An IP literal (no brackets) and port; nil when `ip` is not a literal.
    init?(ip: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, ip, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeBytes(of: v4) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, ip, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeBytes(of: v6) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            return
        }
        return nil
    }

    /// A Unix-domain socket path; nil when it is empty or longer than `sun_path` holds.
    init?(unixPath: String) {
        var address = sockaddr_un()
        let bytes = Array(unixPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: bytes)
            path[bytes.count] = 0
        }
        withUnsafeBytes(of: address) { source in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
        }
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
    }

    /// The address of the local end of `fd` (a bound or connected socket).
    init?(localOf fd: Int32) {
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        self.length = length
    }

    /// The port of an IP address (0 for Unix sockets).
    var port: Int {
        switch family {
        case AF_INET: withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port)) }
        case AF_INET6: withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port)) }
        default: 0
        }
    }

    /// The numeric host (`127.0.0.1`, `::1`) or the Unix path.
    var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch family {
        case AF_INET:
            var address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self).sin_addr }
            inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
        case AF_INET6:
            var address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self).sin6_addr }
            inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        default:
            return withUnsafeBytes(of: storage) { raw -> String in
                let path = raw.load(as: sockaddr_un.self).sun_path
                return withUnsafeBytes(of: path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            }
        }
        let end = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `host:port`, `[v6]:port` or the Unix path.
    var description: String {
        switch family {
        case AF_INET: "\(host):\(port)"
        case AF_INET6: "[\(host)]:\(port)"
        default: host
        }
    }

    /// Calls `body` with the address as the `sockaddr` pointer system calls take.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// True for an IPv4 or IPv6 literal (IPv6 without brackets).
    static func isIPLiteral(_ host: String) -> Bool {
        SocketAddress(ip: host, port: 0) != nil
    }
}
