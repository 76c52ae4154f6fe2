/// The client side of the admin socket, for `lassod ctl` and tests: sends one request line and
/// returns the reply line.
///
/// It uses a libwebsockets raw client connection on an ``EventLoop`` like every other socket
/// of lassod, so the CLI and the daemon share one transport and one set of limits.
///
/// ```swift
/// let loop = try EventLoop(configuration: .init(maxOpenFiles: 256))
/// let reply = await AdminClient(loop: loop).send(AdminRequest.line(name: "tree", arguments: []),
///                                               to: "lassod.sock", timeout: 10)
/// loop.stop()
/// ```
public struct AdminClient: Sendable {
    private let loop: EventLoop

    /// A client whose connections live on `loop`.
    public init(loop: EventLoop) {
        self.loop = loop
    }

    /// Sends `line` (ending in a newline) to the socket at `path` and waits up to `timeout`
    /// seconds for the reply line, which is returned without its newline.
    public func send(_ line: [UInt8], to path: String, timeout: Double) async -> Result<[UInt8], AdminClientError> {
        let core = loop.core
        return await withCheckedContinuation { continuation in
            let connection = AdminClientConnection(core: core, path: path, request: line, timeout: timeout) { result in
                continuation.resume(returning: result)
            }
            if !loop.execute({ connection.start() }) { connection.loopGone() }
        }
    }
}
