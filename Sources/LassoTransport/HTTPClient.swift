import Foundation
import Synchronization

/// POSTs JSON-RPC bodies to upstream providers over `http://` and `https://`, with keep-alive
/// connections and real parallelism per upstream.
///
/// Guarantees:
/// - Every request completes exactly once: with a 2xx response or an ``HTTPClientError``.
/// - Each request has its own deadline, covering DNS, connect, TLS, waiting for a connection,
///   sending and the whole response.
/// - Host names are resolved off the loop thread (and cached); the loop never blocks on DNS.
/// - Requests to one upstream spread over up to `connectionsPerUpstream` keep-alive
///   connections; head and body leave in one write.
/// - A request marked `idempotent` survives the keep-alive race (the upstream closing an idle
///   connection as the request goes out) by being sent once more on a fresh connection; other
///   requests are never sent twice.
/// - After `shutdown()`, requests in flight and every later request fail with
///   ``HTTPClientError/clientClosed(address:)``, and the kept-alive connections close.
///
/// ```swift
/// let client = HTTPClient(loop: loop)
/// guard let url = UpstreamURL("http://127.0.0.1:\(port)/rpc") else { return nil }   // https:// too; an API key in the path stays out of errors
/// let response = try await client.post(url, body: Array(json.utf8))   // a 2xx response, or throws an HTTPClientError
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
/// On the loop thread, the callback variant avoids any thread hop: its completion runs on the
/// loop thread, where the server's responder can answer inline.
public final class HTTPClient: Sendable {
    /// Client settings.
    public struct Configuration: Sendable {
        /// Keep-alive connections per upstream host:port:scheme.
        public var connectionsPerUpstream: Int = 64
        /// How long an idle connection is kept for reuse.
        public var keepAlive: Duration = .seconds(30)
        /// Deadline for requests that do not pass their own.
        public var defaultTimeout: Duration = .seconds(30)
        /// Extra PEM CA bundle to trust (tests, private CAs); nil trusts the system store only.
        public var caFilePath: String?
        /// How long a resolved address is reused.
        public var dnsCacheLifetime: Duration = .seconds(30)
        /// Largest response body accepted; a bigger one fails as `responseTooLarge` instead of
        /// growing without bound (an `eth_getLogs` over a wide range can be hundreds of MB).
        public var maxResponseBytes: Int = 64 << 20

        /// The defaults documented on each property.
        public init() {}
    }

    /// The result a completion receives.
    public typealias Completion = @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void

    private let group: EventLoopGroup
    /// One per loop, in the group's order: a request uses the pools of the loop it runs on.
    private let states: [HTTPClientState]
    private let resolver: DNSResolver
    private let defaultTimeout: Duration

    /// A client whose requests run on `loop`; pools are created lazily per upstream.
    public convenience init(loop: EventLoop, configuration: Configuration = .init()) {
        self.init(group: EventLoopGroup(loop), configuration: configuration)
    }

    /// A client on every loop of `group`: a request made on a loop's thread runs on that loop,
    /// with its own connections (`connectionsPerUpstream` per loop); one made elsewhere goes to
    /// the loops in turn.
    public init(group: EventLoopGroup, configuration: Configuration = .init()) {
        self.group = group
        resolver = DNSResolver(ttl: configuration.dnsCacheLifetime)
        states = group.loops.map { HTTPClientState(core: $0.core, configuration: configuration) }
        defaultTimeout = configuration.defaultTimeout
    }

    /// POSTs `body` to `url`. `completion` runs on the loop thread (or on the calling thread
    /// when the loop has stopped). Callable from any thread; from the loop thread with a cached
    /// or literal address it starts without leaving the thread. `idempotent` allows one resend
    /// after the keep-alive race; leave it false for anything that must not run twice.
    public func post(_ url: UpstreamURL, body: [UInt8], headers: [(name: String, value: String)] = [],
                     timeout: Duration? = nil, idempotent: Bool = false, completion: @escaping Completion) {
        guard !url.isWebSocket else {
            completion(.failure(.invalidURL))
            return
        }
        let deadline = LoopTimers.now() &+ LoopTimers.nanoseconds(timeout ?? defaultTimeout)
        let bytes = HTTPClientRequest.encode(url: url, body: body, headers: headers)
        let index = group.currentOrNext()
        let state = states[index], loop = group.loops[index]
        let start: @Sendable (String) -> Void = { address in
            state.start(HTTPClientRequest(url: url, bytes: bytes, deadline: deadline, idempotent: idempotent,
                                          completion: completion), address: address)
        }
        if let address = url.hostIsAddress ? url.host : resolver.cached(url.host) {
            if loop.inEventLoop {
                start(address)
            } else if !loop.execute({ start(address) }) {
                completion(.failure(.loopStopped))
            }
            return
        }
        // The deadline covers the lookup too: whichever comes first, the address or the
        // deadline, decides; the other is ignored. The deadline is a loop timer, like every
        // other deadline of the transport.
        let decided = Atomic<Bool>(false)
        let timed = loop.execute(after: LoopTimers.duration(from: LoopTimers.now(), to: deadline)) {
            guard !decided.exchange(true, ordering: .acquiringAndReleasing) else { return }
            completion(.failure(.timeout(address: url.description)))
        }
        guard timed else {
            completion(.failure(.loopStopped))
            return
        }
        resolver.resolve(url.host) { address in
            guard !decided.exchange(true, ordering: .acquiringAndReleasing) else { return }
            guard let address else {
                if !loop.execute({ completion(.failure(.dnsFailure(host: url.host))) }) {
                    completion(.failure(.loopStopped))
                }
                return
            }
            if !loop.execute({ start(address) }) {
                completion(.failure(.loopStopped))
            }
        }
    }

    /// Closes the client for good: what is in flight fails as `clientClosed`, later requests
    /// fail the same way at once, and the pooled connections are closed. Callable from any
    /// thread; a second call does nothing.
    public func shutdown() {
        for (state, loop) in zip(states, group.loops) {
            if loop.inEventLoop {
                state.shutdown()
            } else {
                _ = loop.execute { state.shutdown() }
            }
        }
    }

    /// POSTs `body` to `url` and returns the 2xx response.
    public func post(_ url: UpstreamURL, body: [UInt8], headers: [(name: String, value: String)] = [],
                     timeout: Duration? = nil, idempotent: Bool = false) async throws(HTTPClientError) -> HTTPClientResponse {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>) in
            post(url, body: body, headers: headers, timeout: timeout, idempotent: idempotent) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Convenience for a URL string; fails with ``HTTPClientError/invalidURL`` when it does not parse.
    public func post(_ url: String, body: [UInt8], headers: [(name: String, value: String)] = [],
                     timeout: Duration? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        guard let parsed = UpstreamURL(url) else { throw .invalidURL }
        return try await post(parsed, body: body, headers: headers, timeout: timeout)
    }
}
