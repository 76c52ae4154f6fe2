import CLassoShim
import CLibWebSockets
import Foundation
import Synchronization

/// One request of an ``AdminClient``: a libwebsockets raw client connection to a Unix socket
/// (`address` "+path"), one line out, one line back, then close.
///
/// `complete` runs exactly once: with the reply line (newline excluded), or with why there is
/// none. A connection error can be reported inside `lws_client_connect_via_info` itself, so
/// completion is idempotent rather than ordered.
///
/// Threading: loop thread only, except `completed`, which makes completion once-only even when
/// the loop is gone and the caller reports the failure from its own thread.
final class AdminClientConnection: LoopSession, @unchecked Sendable {
    /// Largest reply accepted; a tree of thousands of processes fits many times over.
    static let maxReplyBytes = 64 << 20

    private let core: LoopCore
    private let path: String
    private let request: [UInt8]
    private let timeout: Double
    private let complete: @Sendable (Result<[UInt8], AdminClientError>) -> Void
    private let completed = Atomic<Bool>(false)
    private var id: UInt = 0
    private var wsi: OpaquePointer?
    private var connected = false
    private var sent = false
    private var received: [UInt8] = []
    private var timer: LoopTimers.ID?
    private let cStrings = CStringArena()

    init(core: LoopCore, path: String, request: [UInt8], timeout: Double,
         complete: @escaping @Sendable (Result<[UInt8], AdminClientError>) -> Void) {
        self.core = core
        self.path = path
        self.request = request
        self.timeout = timeout
        self.complete = complete
    }

    /// Connects. Loop thread.
    func start() {
        guard let context = core.context, let vhost = core.controlVhost else {
            finish(.failure(.unreachable(path: path, reason: "the client's event loop is stopped")))
            return
        }
        if let problem = AdminSocketFile.problem(with: path) {
            finish(.failure(.unreachable(path: path, reason: "not a usable socket path (\(problem))")))
            return
        }
        id = core.register(self)
        core.onShutdown(id) { [weak self] in self?.loopGone() }
        timer = core.timers.schedule(in: context, after: timeout) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.finish(.failure(.timedOut(path: self.path, seconds: self.timeout)))
        }
        var info = lws_client_connect_info()
        info.context = context
        info.vhost = vhost
        info.address = cStrings.make("+" + path)
        info.port = 0
        info.host = cStrings.make("localhost")
        info.path = cStrings.make("")
        info.method = cStrings.make("RAW")
        // Raw connections share the loop's one callback (protocols[0]); it routes by session id.
        info.local_protocol_name = cStrings.make(LoopCore.httpProtocolName)
        info.opaque_user_data = LoopCore.tag(id)
        let connected = lws_client_connect_via_info(&info)
        if connected == nil { connectionFailed() } else if !completed.load(ordering: .acquiring) { wsi = connected }
    }

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_RAW_CONNECTED:
            self.wsi = wsi
            connected = true
            lws_callback_on_writable(wsi)
            return 0
        case LWS_CALLBACK_RAW_WRITEABLE:
            guard !sent else { return 0 }
            sent = true
            let buffer = core.outputBuffer(count: request.count)
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
            let start = base + LoopCore.writePadding
            request.withUnsafeBufferPointer { source in
                if let address = source.baseAddress { start.update(from: address, count: source.count) }
            }
            // LWS_WRITE_RAW is a macro for LWS_WRITE_HTTP, which Swift cannot import.
            return lws_write(wsi, start, request.count, LWS_WRITE_HTTP) >= request.count ? 0 : -1
        case LWS_CALLBACK_RAW_RX:
            guard let input, length > 0 else { return 0 }
            let bytes = UnsafeRawBufferPointer(start: input, count: length)
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                received.append(contentsOf: bytes[..<newline])
                finish(.success(received))
                return -1
            }
            received.append(contentsOf: bytes)
            if received.count > Self.maxReplyBytes {
                finish(.failure(.replyTooLarge(path: path)))
                return -1
            }
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            connectionFailed()
            return 0
        case LWS_CALLBACK_RAW_CLOSE, LWS_CALLBACK_WSI_DESTROY:
            // A failed connect may end here without CONNECTION_ERROR.
            if connected { finish(.failure(.closedWithoutReply(path: path))) } else { connectionFailed() }
            return 0
        default:
            return 0
        }
    }

    /// The loop stopped before the request could start, or while it ran.
    func loopGone() {
        finish(.failure(.unreachable(path: path, reason: "the client's event loop is stopped")))
    }

    /// lws gives no errno for a failed connect; the socket file itself says most of why.
    private func connectionFailed() {
        var info = stat()
        let reason: String
        if lstat(path, &info) != 0 {
            reason = errno == ENOENT ? "no such socket file (is lassod running?)" : String(cString: strerror(errno))
        } else if info.st_mode & S_IFMT != S_IFSOCK {
            reason = "not a socket"
        } else if access(path, W_OK) != 0 {
            reason = "permission denied"
        } else {
            reason = "connection refused (nothing listens on it; is lassod running?)"
        }
        finish(.failure(.unreachable(path: path, reason: reason)))
    }

    private func finish(_ result: Result<[UInt8], AdminClientError>) {
        guard !completed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let timer { core.timers.cancel(timer) }
        timer = nil
        if id != 0 {
            core.unregister(id)
            core.removeShutdownHook(id)
        }
        if let wsi {
            lws_set_opaque_user_data(wsi, nil)
            if case .failure(.timedOut) = result { lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC) }
        }
        complete(result)
    }
}
