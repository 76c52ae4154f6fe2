import Dispatch
import Foundation

/// The HTTP/1.1 and WebSocket listener: one port, routes by method and path, WebSocket upgrades
/// on the same port.
///
/// Guarantees:
/// - It binds exactly `host` (an IP literal; `0.0.0.0` or `::` for every interface).
/// - Handlers run on the loop thread with the complete request (body at most `maxBodyBytes`,
///   `Content-Length` or chunked). Pipelined requests are answered in order, one at a time.
/// - Status, headers and body leave in one write; keep-alive unless the client or the response
///   asks to close. `HEAD` is answered by the `GET` route without the body.
/// - Every malformed or over-limit request gets its status (400, 405 with `Allow`, 408, 413,
///   414, 417, 431, 501, 505) and, when the connection cannot continue, a lingering close:
///   the server stops writing, reads and discards what the client still sends for a bounded
///   time and size, then closes — so the client reads its error instead of a reset.
/// - A connection costs nothing shared while it waits: a client slow to send its head or body
///   is closed after `slowClientTimeout`, an idle keep-alive one after `keepAliveTimeout`, a
///   handler that never answers after `responseTimeout`, a client that stops reading its
///   response after `sendTimeout`; at `maxConnections` the server stops accepting until one
///   closes.
/// - WebSocket messages are reassembled up to `webSocketMaxMessageBytes` (beyond: close 1009);
///   each connection's unsent output holds at most `webSocketMaxQueuedBytes` (beyond: 1008).
///
/// ```swift
/// var router = HTTPRouter()
/// router.add(.post, "/rpc") { request, responder in responder.respond(.json(#"{"ok":true}"#)) }
/// let server = try HTTPServer(loop: loop, configuration: .init(port: 0), router: router)   // port 0: any free one, see server.port
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public final class HTTPServer: Sendable {
    /// Listener settings; the defaults suit a public JSON-RPC endpoint.
    public struct Configuration: Sendable {
        /// The address to bind: an IPv4 or IPv6 literal (`0.0.0.0`/`::` for every interface), or
        /// a name, resolved once at start to its first address.
        public var host: String
        /// TCP port; 0 picks a free one (read it back from ``HTTPServer/port``).
        public var port: Int
        /// Let other loops (or processes) bind the same port; the kernel spreads connections.
        public var reusePort = false
        /// Largest accepted request body.
        public var maxBodyBytes: Int = 1 << 20
        /// Longest request line; beyond it 414.
        public var maxRequestLineBytes: Int = 8 << 10
        /// Largest request head (line and fields); beyond it 431.
        public var maxHeadBytes: Int = 16 << 10
        /// Most header fields in a request; beyond it 431.
        public var maxHeaderFields: Int = 100
        /// Open connections (HTTP and WebSocket) beyond which the server stops accepting, on
        /// each of its loops.
        public var maxConnections: Int = 10_000
        /// Where the server keeps the number of connections it holds open, readable from any
        /// thread; none when nil.
        public var connectionCount: ConnectionCount?
        /// How long an idle keep-alive connection is kept open.
        public var keepAliveTimeout: Duration = .seconds(5)
        /// How long a client has for a request head from its first byte, and for a body from
        /// the end of the head (plus a second per 64 KiB it announces).
        public var slowClientTimeout: Duration = .seconds(5)
        /// How long a handler has to answer; then 504 and the connection closes.
        public var responseTimeout: Duration = .seconds(60)
        /// How long a response may wait for a client that does not read it.
        public var sendTimeout: Duration = .seconds(30)
        /// A lingering close discards what the client still sends for at most this long…
        public var lingerTimeout: Duration = .seconds(5)
        /// …and at most this many bytes.
        public var lingerBytes: Int = 16 << 20
        /// Serve HTTPS/WSS with these credentials instead of plain text.
        public var tls: TLSCredentials?
        /// Largest reassembled WebSocket message.
        public var webSocketMaxMessageBytes: Int = 1 << 20
        /// Bytes a WebSocket connection may have unsent before it is closed (1008).
        public var webSocketMaxQueuedBytes: Int = 4 << 20
        /// WebSocket silence before the server pings.
        public var webSocketPingInterval: Duration = .seconds(30)
        /// Time without any frame before the server hangs up.
        public var webSocketIdleTimeout: Duration = .seconds(90)
        /// The response the server itself sends for errors it detects (malformed requests,
        /// limits, unknown routes, timeouts); the domain above decides the body's format. The
        /// request is there (without its body) when its head could be read.
        public var errorResponse: @Sendable (_ status: Int, _ message: String, _ request: HTTPRequest?) -> HTTPResponse = {
            status, message, _ in .text(message + "\n", status: status)
        }

        /// Listens on `host` and `port` with the default limits.
        public init(host: String = "127.0.0.1", port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// Connection counters, for metrics.
    public struct Statistics: Sendable, Equatable {
        /// HTTP connections accepted since the server started.
        public var acceptedHTTPConnections: Int
        /// HTTP connections open now.
        public var openHTTPConnections: Int
        /// WebSocket connections open now.
        public var openWebSockets: Int
    }

    /// The port actually listened on.
    public let port: Int
    private let group: EventLoopGroup
    /// One per loop, in the group's order.
    private let states: [HTTPServerState]

    /// Creates the listener on `loop`. Throws when the address cannot be bound or TLS fails.
    public convenience init(loop: EventLoop, configuration: Configuration, router: HTTPRouter,
                            webSocket: WebSocketServerHandlers? = nil) throws(EventLoopError) {
        try self.init(group: EventLoopGroup(loop), configuration: configuration, router: router, webSocket: webSocket)
    }

    /// Listens on every loop of `group` (on one port, `SO_REUSEPORT` when there are several).
    /// Blocks until every loop is listening: call it off the cooperative pool, or use ``start(group:configuration:router:webSocket:)``.
    public convenience init(group: EventLoopGroup, configuration: Configuration, router: HTTPRouter,
                            webSocket: WebSocketServerHandlers? = nil) throws(EventLoopError) {
        let plan = try Self.plan(group: group, configuration: configuration, router: router, webSocket: webSocket)
        var port = configuration.port
        for (index, state) in plan.states.enumerated() {
            guard let address = SocketAddress(ip: plan.ip, port: port) else { throw .listenFailed(address: plan.ip, reason: "bad port") }
            switch group.loops[index].performAndWait({ state.start(address) }) {
            case .success(let bound)?: port = bound
            case .failure(let error)?:
                Self.stopStarted(plan.states[..<index], group: group)
                throw error
            case nil:
                Self.stopStarted(plan.states[..<index], group: group)
                throw .stopped
            }
        }
        self.init(group: group, states: plan.states, port: port)
    }

    /// Listens on every loop of `group` without blocking the caller's thread.
    public static func start(group: EventLoopGroup, configuration: Configuration, router: HTTPRouter,
                             webSocket: WebSocketServerHandlers? = nil) async throws(EventLoopError) -> HTTPServer {
        let plan = try plan(group: group, configuration: configuration, router: router, webSocket: webSocket)
        var port = configuration.port
        for (index, state) in plan.states.enumerated() {
            guard let address = SocketAddress(ip: plan.ip, port: port) else { throw .listenFailed(address: plan.ip, reason: "bad port") }
            let loop = group.loops[index]
            let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Int, EventLoopError>, Never>) in
                if !loop.execute({ continuation.resume(returning: state.start(address)) }) {
                    continuation.resume(returning: .failure(.stopped))
                }
            }
            switch result {
            case .success(let bound): port = bound
            case .failure(let error):
                stopStarted(plan.states[..<index], group: group)
                throw error
            }
        }
        return HTTPServer(group: group, states: plan.states, port: port)
    }

    private init(group: EventLoopGroup, states: [HTTPServerState], port: Int) {
        self.group = group
        self.states = states
        self.port = port
    }

    /// The resolved address and one unstarted state per loop.
    private static func plan(group: EventLoopGroup, configuration: Configuration, router: HTTPRouter,
                             webSocket: WebSocketServerHandlers?) throws(EventLoopError) -> (ip: String, states: [HTTPServerState]) {
        guard let ip = SocketAddress.isIPLiteral(configuration.host) ? configuration.host : DNSResolver.lookup(configuration.host),
              SocketAddress(ip: ip, port: configuration.port) != nil else {
            throw .listenFailed(address: "\(configuration.host):\(configuration.port)", reason: "not an address this host has")
        }
        var tls: TLSContext?
        if let credentials = configuration.tls {
            switch TLSContext.server(credentials) {
            case .success(let context): tls = context
            case .failure(let error): throw error
            }
        }
        var configuration = configuration
        if group.loops.count > 1 { configuration.reusePort = true }
        let shared = configuration
        let states = group.loops.enumerated().map { index, loop in
            HTTPServerState(core: loop.core, index: index, configuration: shared, router: router, webSocket: webSocket, tls: tls)
        }
        return (ip, states)
    }

    private static func stopStarted(_ states: ArraySlice<HTTPServerState>, group: EventLoopGroup) {
        for (index, state) in zip(states.indices, states) { group.loops[index].startAndWait { state.stop($0) } }
    }

    /// The state of the loop that owns `connection`.
    private func state(of connection: WebSocketConnectionID) -> (HTTPServerState, EventLoop)? {
        let index = HTTPServerState.loopIndex(of: connection)
        guard index < states.count else { return nil }
        return (states[index], group.loops[index])
    }

    /// Queues a text message for a WebSocket connection. Any thread; dropped if it is closed.
    public func send(_ connection: WebSocketConnectionID, _ text: String) {
        send(connection, .text(text))
    }

    /// Queues a message for a WebSocket connection. Any thread; dropped if it is closed.
    public func send(_ connection: WebSocketConnectionID, _ message: WebSocketMessage) {
        onLoop(of: connection) { $0.send(message, to: connection) }
    }

    /// Queues one text message for many connections, each copy with the bytes at `range` of
    /// `template` replaced by that connection's own (a subscription's id). One hop to each event
    /// loop for the whole batch, where the copies are made: a fan-out to thousands of sockets
    /// costs one wake per loop, not one per socket. Any thread; closed connections are skipped.
    public func broadcast(_ template: [UInt8], replacing range: Range<Int>,
                          for targets: [(connection: WebSocketConnectionID, replacement: [UInt8])]) {
        guard range.lowerBound >= 0, range.upperBound <= template.count else { return }
        var byLoop = [[(connection: WebSocketConnectionID, replacement: [UInt8])]](repeating: [], count: states.count)
        for target in targets {
            let index = HTTPServerState.loopIndex(of: target.connection)
            if index < states.count { byLoop[index].append(target) }
        }
        for (index, batch) in byLoop.enumerated() where !batch.isEmpty {
            let state = states[index]
            let deliver: @Sendable () -> Void = {
                for target in batch {
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(template.count - range.count + target.replacement.count)
                    bytes.append(contentsOf: template[..<range.lowerBound])
                    bytes.append(contentsOf: target.replacement)
                    bytes.append(contentsOf: template[range.upperBound...])
                    state.send(WebSocketMessage(isBinary: false, bytes: bytes), to: target.connection)
                }
            }
            let loop = group.loops[index]
            if loop.inEventLoop { deliver() } else { loop.execute(deliver) }
        }
    }

    /// Closes a WebSocket connection with `code` after the messages already queued. Any thread.
    public func close(_ connection: WebSocketConnectionID, code: WebSocketCloseCode = .normal) {
        onLoop(of: connection) { $0.close(connection, code: code) }
    }

    /// Drops a WebSocket connection at once: no close frame, queued messages discarded. The
    /// peer sees the TCP connection end, as when the server process dies. Any thread.
    public func abort(_ connection: WebSocketConnectionID) {
        onLoop(of: connection) { $0.abort(connection) }
    }

    /// Drops every open connection at once, as a crashed process would: WebSockets get no close
    /// frame, requests being handled never get their reply. The listener keeps accepting.
    /// Returns when every loop has done it (at once on a loop's own thread).
    public func abortConnections() {
        for (state, loop) in zip(states, group.loops) { _ = loop.performAndWait { state.abortConnections() } }
    }

    /// Runs `body` with the state of `connection`'s loop, on that loop.
    private func onLoop(of connection: WebSocketConnectionID, _ body: @escaping @Sendable (HTTPServerState) -> Void) {
        guard let (state, loop) = state(of: connection) else { return }
        if loop.inEventLoop { body(state) } else {
            loop.execute { body(state) }
        }
    }

    /// Current counters, summed over the loops (waits for each loop thread; cheap).
    public func statistics() -> Statistics {
        var total = Statistics(acceptedHTTPConnections: 0, openHTTPConnections: 0, openWebSockets: 0)
        for (state, loop) in zip(states, group.loops) {
            guard let part = loop.performAndWait({ state.statistics }) else { continue }
            total.acceptedHTTPConnections += part.acceptedHTTPConnections
            total.openHTTPConnections += part.openHTTPConnections
            total.openWebSockets += part.openWebSockets
        }
        return total
    }

    /// Stops gracefully: closes the listening sockets at once (new connections are refused),
    /// closes idle keep-alive connections, lets every request already received finish and its
    /// reply be written (with `connection: close`), then stops as ``stop()`` does. Returns once
    /// the last such connection has closed, or after `timeout`, when the rest are cut.
    public func drain(within timeout: Duration) async {
        await withTaskGroup(of: Void.self) { tasks in
            for (state, loop) in zip(states, group.loops) {
                tasks.addTask {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        guard loop.execute({ state.drain(within: timeout) { continuation.resume() } }) else {
                            continuation.resume()
                            return
                        }
                    }
                }
            }
        }
    }

    /// Stops listening and closes every connection of this server (WebSockets with 1001). From
    /// another thread it waits until the ports are released; on a loop's thread it does it now.
    public func stop() {
        for (state, loop) in zip(states, group.loops) { loop.startAndWait { state.stop($0) } }
    }
}
