/// A server for a line protocol on a Unix-domain socket (lassod's admin socket): each request
/// is one line, each gets exactly one reply line, in order.
///
/// Guarantees:
/// - The socket file has mode `mode` (0600 by default) before anyone can connect.
/// - Requests of one connection are handled one at a time, so replies leave in request order;
///   a slow request holds up only its own connection.
/// - A line longer than `maxLineBytes`, or more than `maxQueuedLines` lines waiting for their
///   replies, gets `refusal(reason)` after the replies already due; then the connection closes.
/// - A client that half-closes after its requests (`nc -N`, `echo … | socat -`) still gets
///   every reply; blank lines are skipped and a trailing `\r` is dropped.
///
/// ```swift
/// let server = try LineServer(loop: loop, path: path, refusal: { Array("error: \($0)".utf8) }) { line, reply in
///     reply.send(Array("echo: ".utf8) + line)
/// }
/// server.stop()
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public final class LineServer: Sendable {
    /// Called on the loop thread with one request line (newline excluded); must call
    /// `reply.send` exactly once, from any thread, now or later.
    public typealias Handler = @Sendable (_ line: [UInt8], _ reply: LineReply) -> Void

    /// Limits; the defaults suit an operator's commands.
    public struct Configuration: Sendable {
        public var maxLineBytes = 64 << 10
        public var maxQueuedLines = 64
        /// The socket file's permissions.
        public var mode: UInt32 = 0o600

        public init() {}
    }

    /// The socket's path.
    public let path: String
    private let loop: EventLoop
    private let state: LineServerState

    /// Binds `path` (which must not exist) and starts serving.
    public init(loop: EventLoop, path: String, configuration: Configuration = .init(),
                refusal: @escaping @Sendable (String) -> [UInt8], handler: @escaping Handler) throws(EventLoopError) {
        guard let address = SocketAddress(unixPath: path) else {
            throw .listenFailed(address: path, reason: "not a usable Unix socket path")
        }
        let state = LineServerState(core: loop.core, configuration: configuration, refusal: refusal, handler: handler)
        switch loop.performAndWait({ state.start(address) }) {
        case .none: throw .stopped
        case .some(.failure(let error)): throw error
        case .some(.success): break
        }
        self.path = path
        self.loop = loop
        self.state = state
    }

    /// Stops listening and closes every connection. From another thread it waits until that
    /// is done. The socket file is the caller's to remove.
    public func stop() {
        let state = self.state
        loop.startAndWait { completion in
            state.stop()
            completion()
        }
    }
}

/// Where a ``LineServer`` handler sends its one reply. Sendable, callable from any thread.
public struct LineReply: Sendable {
    let server: LineServerState
    let connection: UInt

    /// Sends `line`; a newline is added unless it ends with one.
    public func send(_ line: [UInt8]) {
        let server = self.server, connection = self.connection
        if server.core.isOnLoop {
            server.deliver(line, to: connection)
        } else {
            _ = server.core.submit { server.deliver(line, to: connection) }
        }
    }
}
