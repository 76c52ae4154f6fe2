import Foundation
import LassoTransport

/// lassod's admin socket: a Unix domain socket served by the transport's ``LineServer``, speaking
/// the admin protocol (``AdminRequest``, ``AdminReply``) and carrying commands out on an
/// ``AdminControl``.
///
/// Guarantees:
/// - The socket file has mode 0600 before anyone can connect: only lassod's user (and root).
/// - A stale socket file (nothing answers) is replaced; a live one, or a path that is not a
///   socket, fails the start with an error naming the path and is left alone.
/// - Every request line gets exactly one reply line, in order; a connection may send many, and
///   may half-close after sending (`nc -N`, `echo … | socat -`): its replies still arrive.
///   Commands run off the loop thread, and a slow one (`reload`) holds up only its own
///   connection.
/// - ``stop()`` closes every connection and removes the socket file (unless another process
///   has put its own socket there meanwhile).
///
/// ```swift
/// let admin = try AdminServer(application: application, path: socketPath,
///                             control: TreeControl(application: application, configPath: configPath))
/// // $ lassod ctl --socket lassod.sock chains
/// // $ echo '{"cmd":"chains"}' | socat - UNIX-CONNECT:lassod.sock
/// admin.stop()
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class AdminServer: Sendable {
    /// The socket's path.
    public let path: String
    private let server: LineServer
    private let file: AdminSocketFile
    private let identity: AdminSocketFile.Identity?

    /// Listens at `path` on `loop`; each command run is logged to `logger` (`admin.command`).
    /// - Throws: ``AdminServerError``.
    public init(loop: EventLoop, path: String, control: any AdminControl, logger: Logger? = nil)
        throws(AdminServerError) {
        if let problem = AdminSocketPath.problem(with: path) {
            throw .invalidPath(path: path, reason: problem)
        }
        let file = AdminSocketFile(path: path)
        switch file.inspect() {
        case .failure(let error): throw error
        case .success(.live): throw .alreadyInUse(path: path)
        case .success(.stale): unlink(path)
        case .success(.nothing): break
        }
        do {
            server = try LineServer(loop: loop, path: path, refusal: { AdminReply.failure($0) }) { line, reply in
                switch AdminRequest.parse(line) {
                case .failure(let error):
                    reply.send(AdminReply.failure(error.description))
                case .success(let command):
                    logger?.log(.info, "admin.command", ["cmd": .string(command.name),
                                                         "args": .string(command.arguments.joined(separator: " "))])
                    Task { reply.send(await command.perform(on: control)) }
                }
            }
        } catch .stopped {
            throw .loopStopped
        } catch {
            throw .bindFailed(path: path, reason: Self.bindFailureReason(path, error))
        }
        self.path = path
        self.file = file
        identity = file.identity()
    }

    /// Listens at `path` on the application's event loop, logging to its logger.
    /// - Throws: ``AdminServerError``.
    public convenience init(application: LassoApplication, path: String, control: any AdminControl)
        throws(AdminServerError) {
        try self.init(loop: application.loop, path: path, control: control, logger: application.logger)
        application.logger.log(.info, "admin.listening", ["path": .string(path)])
    }

    /// Why binding `path` failed, in the operator's terms where the file system tells more.
    private static func bindFailureReason(_ path: String, _ error: EventLoopError) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) || !isDirectory.boolValue {
            return "directory \(parent) does not exist"
        }
        if !FileManager.default.isWritableFile(atPath: parent) { return "directory \(parent) is not writable" }
        if case .listenFailed(_, let reason) = error { return reason }
        return error.description
    }

    /// Stops listening, closes the connections and removes the socket file. Idempotent.
    public func stop() {
        server.stop()
        file.remove(ifStill: identity)
    }
}
