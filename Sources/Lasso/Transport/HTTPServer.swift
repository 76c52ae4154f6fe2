import CLassoShim
import CLibWebSockets
import Dispatch

/// The HTTP/1.1 and WebSocket listener: one port, routes by method and path, WebSocket upgrades
/// for clients that name no subprotocol.
///
/// Guarantees:
/// - Handlers run on the loop thread with the complete request (body at most `maxBodyBytes`;
///   larger is answered 413 with a JSON-RPC error and the connection closed).
/// - Status, headers and body leave in one `lws_write`; keep-alive is kept when the client
///   allows it.
/// - A client that is slow to send its head or body is dropped after `slowClientTimeout`; an
///   idle keep-alive connection after `keepAliveTimeout`; a handler that never answers after
///   `responseTimeout`.
/// - WebSocket messages are reassembled up to `webSocketMaxMessageBytes` (beyond: close 1009);
///   each connection's send queue holds at most `webSocketMaxQueuedBytes` (beyond: close 1008).
///
/// ```swift
/// var router = HTTPRouter()
/// router.add(.post, "/rpc") { request, responder in responder.respond(.json(#"{"ok":true}"#)) }
/// let server = try HTTPServer(loop: loop, configuration: .init(port: 8545), router: router)
/// ```
public final class HTTPServer: Sendable {
    /// Listener settings; the defaults suit a public JSON-RPC endpoint.
    public struct Configuration: Sendable {
        /// Address to bind (an IP or interface name); nil binds every interface.
        public var host: String?
        /// TCP port; 0 picks a free one (read it back from ``HTTPServer/port``).
        public var port: Int
        /// Largest accepted request body.
        public var maxBodyBytes: Int = 1 << 20
        /// Seconds an idle keep-alive connection is kept open.
        public var keepAliveTimeout: Int = 5
        /// Seconds a client has to deliver a request head, or a body once the head is in.
        public var slowClientTimeout: Int = 5
        /// Seconds a handler has to answer before the connection is dropped.
        public var responseTimeout: Int = 60
        /// Which request headers are copied into ``HTTPRequest/headers``. Copying costs per
        /// request, so a hot route can ask for only what it reads.
        public var capturedHeaders: HeaderCapture = .all(extra: [])
        /// Serve HTTPS/WSS with these credentials instead of plain text.
        public var tls: TLSCredentials?
        /// Largest reassembled WebSocket message.
        public var webSocketMaxMessageBytes: Int = 1 << 20
        /// Bytes a WebSocket connection may have queued for sending before it is closed (1008).
        public var webSocketMaxQueuedBytes: Int = 4 << 20
        /// Seconds of WebSocket silence before the server pings.
        public var webSocketPingInterval: Int = 30
        /// Seconds without a valid frame or pong before the server hangs up.
        public var webSocketIdleTimeout: Int = 90

        /// Listens on `host` (all interfaces when nil) and `port` with the default limits.
        public init(host: String? = nil, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// Which headers the server copies out of libwebsockets for each request.
    public enum HeaderCapture: Sendable, Equatable {
        /// Every header lws has a token for, plus these lower-case names it has none for
        /// (e.g. `x-api-key`).
        case all(extra: [String])
        /// Exactly these lower-case names.
        case only([String])
    }

    /// Connection counters, for metrics.
    public struct Statistics: Sendable, Equatable {
        /// HTTP connections that have sent at least one request since the server started.
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

    /// Creates the listener on `loop`. Throws when the port cannot be bound or TLS files fail.
    public init(loop: EventLoop, configuration: Configuration, router: HTTPRouter,
                webSocket: WebSocketServerHandlers? = nil) throws(EventLoopError) {
        let state = HTTPServerState(core: loop.core, configuration: configuration, router: router, webSocket: webSocket)
        let result = loop.performAndWait { state.start() }
        switch result {
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
        if loop.inEventLoop { state.send(message, to: connection.rawValue) } else {
            loop.execute { state.send(message, to: connection.rawValue) }
        }
    }

    /// Closes a WebSocket connection with `code` after the messages already queued. Any thread.
    public func close(_ connection: WebSocketConnectionID, code: WebSocketCloseCode = .normal) {
        let state = self.state
        if loop.inEventLoop { state.close(connection.rawValue, code: code) } else {
            loop.execute { state.close(connection.rawValue, code: code) }
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
    ///
    /// Completion is signalled from the loop thread when the count of open HTTP connections
    /// reaches zero; nothing polls.
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

    /// Stops listening and closes every connection of this server. From another thread it
    /// waits until the port is released; on the loop thread it only schedules that.
    public func stop() {
        let state = self.state
        loop.startAndWait { state.stopSoon($0) }
    }
}
