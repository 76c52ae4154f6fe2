import Foundation
import LassoTransport

/// The client side of the admin socket, for `lassod ctl` and tests: sends one request line and
/// returns the reply line, over the transport's ``LineClient`` like every other socket of
/// lassod.
///
/// ```swift
/// let loop = try EventLoop(configuration: .init(maxOpenFiles: 256))
/// let reply = await AdminClient(loop: loop).send(AdminRequest.line(name: "chains", arguments: []),
///                                               to: socketPath, timeout: .seconds(10))
/// loop.stop()
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct AdminClient: Sendable {
    private let client: LineClient

    /// A client whose connections live on `loop`.
    public init(loop: EventLoop) {
        client = LineClient(loop: loop)
    }

    /// Sends `line` (ending in a newline) to the socket at `path` and waits up to `timeout`
    /// for the reply line, which is returned without its newline.
    public func send(_ line: [UInt8], to path: String, timeout: Duration) async -> Result<[UInt8], AdminClientError> {
        if let problem = AdminSocketPath.problem(with: path) {
            return .failure(.unreachable(path: path, reason: "not a usable socket path (\(problem))"))
        }
        switch await client.exchange(line, path: path, timeout: timeout) {
        case .success(let reply): return .success(reply)
        case .failure(.unreachable): return .failure(.unreachable(path: path, reason: Self.whyUnreachable(path)))
        case .failure(.closedWithoutReply): return .failure(.closedWithoutReply(path: path))
        case .failure(.timedOut): return .failure(.timedOut(path: path, after: timeout))
        case .failure(.replyTooLarge): return .failure(.replyTooLarge(path: path))
        }
    }

    /// Why nothing answers at `path`, in the operator's terms: the socket file says most of it.
    private static func whyUnreachable(_ path: String) -> String {
        var info = stat()
        if lstat(path, &info) != 0 {
            return errno == ENOENT ? "no such socket file (is lassod running?)" : String(cString: strerror(errno))
        }
        if info.st_mode & S_IFMT != S_IFSOCK { return "not a socket" }
        if access(path, W_OK) != 0 { return "permission denied" }
        return "connection refused (nothing listens on it; is lassod running?)"
    }
}
