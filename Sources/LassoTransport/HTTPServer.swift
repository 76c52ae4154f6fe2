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
/// let server = try HTTPServer(loop: loop, configuration: .init(port: 8545), router: router)
/// ```
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
        /// Open connections (HTTP and WebSocket) beyond which the server stops accepting.
        public var maxConnections: Int = 10_000
        /// Seconds an idle keep-alive connection is kept open.
        public var keepAliveTimeout: Double = 5
        /// Seconds a client has for a request head from its first byte, and for a body from the
        /// end of the head (plus a second per 64 KiB it announces).
        public var slowClientTimeout: Double = 5
        /// Seconds a handler has to answer; then 504 and the connection closes.
        public var responseTimeout: Double = 60
        /// Seconds a response may wait for a client that does not read it.
        public var sendTimeout: Double = 30
        /// A lingering close discards what the client still sends for at most this many seconds…
        public var lingerTimeout: Double = 5
        /// …and at most this many bytes.
        public var lingerBytes: Int = 16 << 20
        /// Serve HTTPS/WSS with these credentials instead of plain text.
        public var tls: TLSCredentials?
        /// Largest reassembled WebSocket message.
        public var webSocketMaxMessageBytes: Int = 1 << 20
        /// Bytes a WebSocket connection may have unsent before it is closed (1008).
        public var webSocketMaxQueuedBytes: Int = 4 << 20
        /// Seconds of WebSocket silence before the server pings.
        public var webSocketPingInterval: Double = 30
        /// Seconds without any frame before the server hangs up.
        public var webSocketIdleTimeout: Double = 90
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
    private let loop: EventLoop
    private let state: HTTPServerState

    /// Creates the listener on `loop`. Throws when the address cannot be bound or TLS fails.
    public init(loop: EventLoop, configuration: Configuration, router: HTTPRouter,
                webSocket: WebSocketServerHandlers? = nil) throws(EventLoopError) {
        guard let ip = SocketAddress.isIPLiteral(configuration.host) ? configuration.host : DNSResolver.lookup(configuration.host),
              let address = SocketAddress(ip: ip, port: configuration.port) else {
            throw .listenFailed(address: "\(configuration.host):\(configuration.port)", reason: "not an address this host has")
        }
        var tls: TLSContext?
        if let credentials = configuration.tls {
            switch TLSContext.server(credentials) {
            case .success(let context): tls = context
            case .failure(let error): throw error
            }
        }
        let state = HTTPServerState(core: loop.core, configuration: configuration, router: router,
                                    webSocket: webSocket, tls: tls)
        switch loop.performAndWait({ state.start(address) }) {
        case .none: throw .stopped
        case .some(.failure(let error)): throw error
        case .some(.success(let port)): self.port = port
        }
        self.loop = loop
        self.state = state
    }

    /// Queues a text message for a WebSocket connection. Any thread; dropped if it is closed.
    public func send(_ connection: WebSocketConnectionID, _ text: String) {
        send(connection, .text(text))
    }

    /// Queues a message for a WebSocket connection. Any thread; dropped if it is closed.
    public func send(_ connection: WebSocketConnectionID, _ message: WebSocketMessage) {
        let state = self.state
        if loop.inEventLoop { state.send(message, to: connection) } else {
            loop.execute { state.send(message, to: connection) }
        }
    }

    /// Closes a WebSocket connection with `code` after the messages already queued. Any thread.
    public func close(_ connection: WebSocketConnectionID, code: WebSocketCloseCode = .normal) {
        let state = self.state
        if loop.inEventLoop { state.close(connection, code: code) } else {
            loop.execute { state.close(connection, code: code) }
        }
    }

    /// Current counters (waits for the loop thread; cheap).
    public func statistics() -> Statistics {
        let state = self.state
        return loop.performAndWait { state.statistics } ?? Statistics(acceptedHTTPConnections: 0, openHTTPConnections: 0, openWebSockets: 0)
    }

    /// Stops gracefully: closes the listening socket at once (new connections are refused),
    /// closes idle keep-alive connections, lets every request already received finish and its
    /// reply be written (with `connection: close`), then stops as ``stop()`` does. Returns once
    /// the last such connection has closed, or after `timeout`, when the rest are cut.
    public func drain(within timeout: Duration) async {
        let state = self.state, loop = self.loop
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            guard loop.execute({ state.drain(within: seconds) { continuation.resume() } }) else {
                continuation.resume()
                return
            }
        }
    }

    /// Stops listening and closes every connection of this server (WebSockets with 1001). From
    /// another thread it waits until the port is released; on the loop thread it does it now.
    public func stop() {
        let state = self.state
        loop.startAndWait { state.stop($0) }
    }
}
