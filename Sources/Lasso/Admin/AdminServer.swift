import Dispatch

/// lassod's admin socket: a Unix domain socket on the event loop that speaks the admin
/// protocol (``AdminRequest``, ``AdminReply``) and carries commands out on an
/// ``AdminControl``.
///
/// Guarantees:
/// - The socket file has mode 0600 from the moment it exists: only lassod's user (and root)
///   can connect.
/// - A stale socket file (nothing answers) is replaced; a live one, or a path that is not a
///   socket, fails the start with an error naming the path and is left alone.
/// - Every request line gets exactly one reply line, in order; a connection may send many.
///   Commands run off the loop thread, and a slow one (`reload`) holds up only its own
///   connection.
/// - ``stop()`` closes every connection and removes the socket file (unless another process
///   has put its own socket there meanwhile).
///
/// A client must keep its write side open until its reply arrives: lws serves the socket as a
/// raw socket and closes the connection on a read of 0 bytes, so a half-close
/// (`shutdown(SHUT_WR)`, as `nc -N` or a plain `echo … | socat -` do at end of input) drops the
/// reply. `lassod ctl` never half-closes.
///
/// ```swift
/// let admin = try AdminServer(application: application, path: "lassod.sock",
///                             control: TreeControl(application: application, configPath: path))
/// // $ lassod ctl --socket lassod.sock chains
/// // $ echo '{"cmd":"chains"}' | socat -t 5 - UNIX-CONNECT:lassod.sock,shut-none
/// admin.stop()
/// ```
public final class AdminServer: Sendable {
    /// The socket's path.
    public let path: String
    private let loop: EventLoop
    private let state: AdminServerState

    /// Listens at `path` on `loop`; each command run is logged to `logger` (`admin.command`).
    /// - Throws: ``AdminServerError``.
    public init(loop: EventLoop, path: String, control: any AdminControl, logger: Logger? = nil)
        throws(AdminServerError) {
        let state = AdminServerState(core: loop.core, path: path, control: control, logger: logger)
        switch loop.performAndWait({ state.start() }) {
        case .none: throw .loopStopped
        case .some(.failure(let error)): throw error
        case .some(.success): break
        }
        self.path = path
        self.loop = loop
        self.state = state
    }

    /// Listens at `path` on the application's event loop, logging to its logger.
    /// - Throws: ``AdminServerError``.
    public convenience init(application: LassoApplication, path: String, control: any AdminControl)
        throws(AdminServerError) {
        try self.init(loop: application.loop, path: path, control: control, logger: application.logger)
        application.logger.log(.info, "admin.listening", ["path": .string(path)])
    }

    /// Stops listening, closes the connections and removes the socket file. From another
    /// thread it waits until that is done; on the loop thread it only schedules it. Idempotent.
    public func stop() {
        let state = self.state
        loop.startAndWait { state.stopSoon($0) }
    }
}
