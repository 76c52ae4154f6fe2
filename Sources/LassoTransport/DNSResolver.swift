import Dispatch
import Foundation
import Synchronization

/// Resolves upstream host names off the event loop (lws 4.1's own lookup blocks its thread),
/// with a small positive cache so the hot path rarely waits.
///
/// Thread-safe. IP literals resolve to themselves without a lookup. Concurrent misses for one
/// host share a single lookup. An expired address is still served for up to `staleFactor`
/// TTLs while a background refresh runs, so traffic does not stall on DNS every TTL.
final class DNSResolver: Sendable {
    private struct Entry { let address: String; let expires: UInt64 }
    private typealias Completion = @Sendable (String?) -> Void
    private struct State {
        var cache: [String: Entry] = [:]
        /// Lookups under way, with everyone waiting for them.
        var pending: [String: [Completion]] = [:]
    }
    private let state = Mutex(State())
    private let ttlNanoseconds: UInt64
    private static let staleFactor: UInt64 = 10
    private let queue = DispatchQueue(label: "lasso.dns", attributes: .concurrent)

    init(ttl: Duration = .seconds(30)) {
        ttlNanoseconds = LoopTimers.nanoseconds(ttl)
    }

    /// The cached (or literal) address for `host`, without blocking. A recently expired address
    /// is returned too, and triggers one background refresh.
    func cached(_ host: String) -> String? {
        if SocketAddress.isIPLiteral(host) { return host }
        let now = LoopTimers.now()
        let (address, refresh) = state.withLock { state -> (String?, Bool) in
            guard let entry = state.cache[host] else { return (nil, false) }
            if entry.expires > now { return (entry.address, false) }
            guard now - entry.expires < ttlNanoseconds &* Self.staleFactor else { return (nil, false) }
            let refresh = state.pending[host] == nil
            if refresh { state.pending[host] = [] }
            return (entry.address, refresh)
        }
        if refresh { lookUp(host) }
        return address
    }

    /// Looks `host` up on a background thread (or joins a lookup under way); `completion` runs
    /// there.
    func resolve(_ host: String, completion: @escaping @Sendable (String?) -> Void) {
        if let address = cached(host) {
            completion(address)
            return
        }
        let first = state.withLock { state -> Bool in
            if state.pending[host] != nil {
                state.pending[host]?.append(completion)
                return false
            }
            state.pending[host] = [completion]
            return true
        }
        if first { lookUp(host) }
    }

    private func lookUp(_ host: String) {
        let ttl = ttlNanoseconds
        queue.async { [self] in
            let address = Self.lookup(host)
            let waiting = state.withLock { state -> [Completion] in
                if let address { state.cache[host] = Entry(address: address, expires: LoopTimers.now() &+ ttl) }
                return state.pending.removeValue(forKey: host) ?? []
            }
            for completion in waiting { completion(address) }
        }
    }

    /// Blocking getaddrinfo; prefers IPv4 (what most providers' edges answer fastest on).
    static func lookup(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(first) }
        var fallback: String?
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node {
            if let text = numericHost(info.pointee) {
                if info.pointee.ai_family == AF_INET { return text }
                fallback = fallback ?? text
            }
            node = info.pointee.ai_next
        }
        return fallback
    }

    private static func numericHost(_ info: addrinfo) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(info.ai_addr, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return nil
        }
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
