import Foundation
import Synchronization

/// The client side of a ``LineServer``: one request line out, one reply line back, on a Unix
/// socket driven by an ``EventLoop`` like every other socket of lassod.
///
/// ```swift
/// let loop = try EventLoop(configuration: .init(maxOpenFiles: 256))
/// let reply = await LineClient(loop: loop).exchange(Array("{\"cmd\":\"tree\"}\n".utf8), path: path, timeout: .seconds(10))
/// // .success(the reply line, without its newline), or why not: .unreachable, .closedWithoutReply, .timedOut, …
/// loop.stop()
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public struct LineClient: Sendable {
    /// Why no reply came.
    public enum Failure: Error, Sendable, Equatable {
        /// No connection (no socket file, nobody listening, no permission); the system's reason.
        case unreachable(reason: String)
        /// The server closed the connection before a full reply line.
        case closedWithoutReply
        /// No reply line within the deadline.
        case timedOut
        /// The reply line was longer than `maxReplyBytes`.
        case replyTooLarge
    }

    private let loop: EventLoop
    /// Largest reply accepted.
    public var maxReplyBytes = 64 << 20

    public init(loop: EventLoop) {
        self.loop = loop
    }

    /// Sends `line` (which should end in a newline) to the socket at `path` and waits up to
    /// `timeout` for the reply line, returned without its newline.
    public func exchange(_ line: [UInt8], path: String, timeout: Duration) async -> Result<[UInt8], Failure> {
        let core = loop.core, limit = maxReplyBytes
        return await withCheckedContinuation { continuation in
            let once = Atomic<Bool>(false)
            let complete: @Sendable (Result<[UInt8], Failure>) -> Void = { result in
                if !once.exchange(true, ordering: .acquiringAndReleasing) { continuation.resume(returning: result) }
            }
            let started = loop.execute {
                LineClientConnection.start(core: core, path: path, request: line, timeout: timeout, limit: limit, complete: complete)
            }
            if !started { complete(.failure(.unreachable(reason: "the client's event loop is stopped"))) }
        }
    }
}

/// One exchange of a ``LineClient``. Loop thread only.
final class LineClientConnection: SocketHandler {
    private let core: LoopCore
    private let limit: Int
    private let complete: @Sendable (Result<[UInt8], LineClient.Failure>) -> Void
    private var received: [UInt8] = []
    private var timer: LoopTimers.ID?
    private var socket: LoopSocket?
    private var done = false

    private init(core: LoopCore, limit: Int, complete: @escaping @Sendable (Result<[UInt8], LineClient.Failure>) -> Void) {
        self.core = core
        self.limit = limit
        self.complete = complete
    }

    static func start(core: LoopCore, path: String, request: [UInt8], timeout: Duration, limit: Int,
                      complete: @escaping @Sendable (Result<[UInt8], LineClient.Failure>) -> Void) {
        core.assertOnLoop()
        guard let context = core.context else {
            complete(.failure(.unreachable(reason: "the client's event loop is stopped")))
            return
        }
        guard let address = SocketAddress(unixPath: path) else {
            complete(.failure(.unreachable(reason: "not a usable socket path")))
            return
        }
        let fd: Int32, inProgress: Bool
        switch ClientSocket.connect(to: address) {
        case .success(let opened): (fd, inProgress) = opened
        case .failure(let failure):
            var reason = failure.description
            if case .connectFailed(let code) = failure { reason = String(cString: strerror(code)) }
            complete(.failure(.unreachable(reason: reason)))
            return
        }
        let connection = LineClientConnection(core: core, limit: limit, complete: complete)
        guard let socket = LoopSocket.adopt(fd: fd, core: core, handler: connection, connecting: inProgress, tls: nil) else {
            complete(.failure(.unreachable(reason: "the client's event loop has no room")))
            return
        }
        connection.socket = socket
        connection.timer = core.timers.schedule(in: context, after: timeout) { [weak connection] in
            connection?.finish(.failure(.timedOut))
        }
        socket.write(request)
    }

    func socketReadable(_ socket: LoopSocket) {
        let end = socket.readAvailable(while: { !done }) { bytes in
            if let newline = bytes.firstIndex(of: 0x0A) {
                received.append(contentsOf: bytes[..<newline])
                finish(received.count > limit ? .failure(.replyTooLarge) : .success(received))
                return
            }
            received.append(contentsOf: bytes)
            if received.count > limit { finish(.failure(.replyTooLarge)) }
        }
        if end == .endOfStream { finish(.failure(.closedWithoutReply)) }
    }

    func socketClosed(_ socket: LoopSocket) {
        self.socket = nil
        if let failure = socket.failure, case .connectFailed(let code) = failure {
            finish(.failure(.unreachable(reason: String(cString: strerror(code)))))
        } else {
            finish(.failure(.closedWithoutReply))
        }
    }

    private func finish(_ result: Result<[UInt8], LineClient.Failure>) {
        guard !done else { return }
        done = true
        if let timer { core.timers.cancel(timer) }
        socket?.close()
        complete(result)
    }
}
