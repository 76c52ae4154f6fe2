import CLassoShim
import CLibWebSockets
import Foundation
import Synchronization

/// The state of one ``EventLoop``: a thread-safe inbox, and everything the loop thread owns.
///
/// Two halves with different rules:
/// - `inbox` (and `threadID`) may be touched from any thread; it is a mutex-protected command
///   list plus the context handle used to wake the loop with `lws_cancel_service`, the only lws
///   call that is safe off the loop thread.
/// - Everything else (context, sessions, timers, scratch buffer) is confined to the loop thread.
///   That confinement is what `@unchecked Sendable` stands for here.
///
/// libwebsockets finds the core through the context's user pointer; the core outlives the
/// context because the loop thread holds it until after `lws_context_destroy`.
final class LoopCore: @unchecked Sendable {
    /// The context pointer as the inbox holds it: only ever passed to `lws_cancel_service`,
    /// which is thread-safe, and only while the context is alive (guarded by the mutex).
    struct ContextHandle: @unchecked Sendable { let pointer: OpaquePointer }

    struct Inbox: ~Copyable {
        var commands: [@Sendable () -> Void] = []
        /// Set while the loop accepts commands; cleared before the context is destroyed.
        var context: ContextHandle?
        /// A wake-up is already on its way; further submissions need not write to the pipe.
        var wakePending = false
    }

    let inbox = Mutex(Inbox())
    /// The loop thread's `pthread_t`, for ``isOnLoop``.
    let threadID = Atomic<UInt>(0)

    // MARK: Loop-thread state

    var context: OpaquePointer?
    /// The always-present, non-listening vhost (see ``EventLoop``); client connections that
    /// need no pool of their own use it.
    var controlVhost: OpaquePointer?
    let controlVhostName: UnsafeMutablePointer<CChar>? = strdup("lasso-control")
    var stopRequested = false
    private(set) var sessions: [UInt: any LoopSession] = [:]
    private var nextSessionID: UInt = 1
    private var shutdownHooks: [UInt: () -> Void] = [:]
    /// Owners of C structures that a vhost points at. A destroyed vhost is freed by lws later,
    /// at a moment it does not report, so these live as long as the core.
    private var retained: [AnyObject] = []
    /// Protocol table shared by every vhost of this context: HTTP first (lws's default for
    /// plain HTTP), then the WebSocket protocol that listeners mark as the default.
    let protocols: UnsafeMutablePointer<lws_protocols>
    private let protocolNames: [UnsafeMutablePointer<CChar>]
    lazy var timers: LoopTimers = LoopTimers(owner: Unmanaged.passUnretained(self).toOpaque()) { owner in
        guard let owner else { return }
        let core = Unmanaged<LoopCore>.fromOpaque(owner).takeUnretainedValue()
        if let context = core.context { core.timers.fire(context) }
    }
    /// Reusable output buffer for responses that fit; avoids an allocation per reply.
    private(set) var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    static let httpProtocolName = "lasso-http"
    static let webSocketProtocolName = "lasso-ws"
    /// Bytes lws needs before every buffer handed to `lws_write`.
    static let writePadding = Int(lasso_lws_pre())

    init() {
        let names = [strdup(Self.httpProtocolName), strdup(Self.webSocketProtocolName)].compactMap { $0 }
        protocolNames = names
        protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 3)
        protocols.initialize(repeating: lws_protocols(), count: 3)
        let me = Unmanaged.passUnretained(self).toOpaque()
        for (index, name) in names.enumerated() {
            protocols[index].name = UnsafePointer(name)
            protocols[index].callback = { wsi, reason, user, input, length in
                LoopCore.callback(wsi: wsi, reason: reason, user: user, input: input, length: length)
            }
            protocols[index].user = me
            protocols[index].rx_buffer_size = 16 * 1024
        }
    }

    deinit {
        protocols.deinitialize(count: 3)
        protocols.deallocate()
        protocolNames.forEach { free($0) }
        free(controlVhostName)
        scratch.deallocate()
    }

    /// True on the loop thread.
    var isOnLoop: Bool {
        let owner = threadID.load(ordering: .acquiring)
        return owner != 0 && pthread_equal(pthread_self(), pthread_t(owner)) != 0
    }

    // MARK: Inbox

    /// Queues `command` for the loop thread and wakes it. Returns false once the loop stopped
    /// accepting work; the caller then owns the failure (e.g. resumes its continuation).
    func submit(_ command: @escaping @Sendable () -> Void) -> Bool {
        inbox.withLock { inbox in
            guard let context = inbox.context else { return false }
            inbox.commands.append(command)
            if !inbox.wakePending {
                inbox.wakePending = true
                lws_cancel_service(context.pointer)
            }
            return true
        }
    }

    /// Runs every queued command. Called from `EVENT_WAIT_CANCELLED`, which lws may deliver
    /// several times per wake-up (once per protocol per vhost): later calls find the inbox empty.
    func drain() {
        let batch = inbox.withLock { inbox -> [@Sendable () -> Void] in
            inbox.wakePending = false
            if inbox.commands.isEmpty { return [] }
            var taken: [@Sendable () -> Void] = []
            swap(&taken, &inbox.commands)
            return taken
        }
        for command in batch { command() }
    }

    // MARK: Sessions

    /// Registers loop-thread state and returns the integer stored in the wsi's opaque data.
    func register(_ session: any LoopSession) -> UInt {
        let id = nextSessionID
        nextSessionID += 1
        sessions[id] = session
        return id
    }

    /// A number never handed out before on this loop (vhost names, hook keys).
    func uniqueNumber() -> UInt {
        let id = nextSessionID
        nextSessionID += 1
        return id
    }

    /// The opaque user-data value that stands for session `id` on a wsi.
    static func tag(_ id: UInt) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: id) }

    func unregister(_ id: UInt) { sessions[id] = nil }

    func session(_ id: UInt) -> (any LoopSession)? { sessions[id] }

    /// Keeps `owner` alive until the context is gone.
    func retain(_ owner: AnyObject) { retained.append(owner) }

    /// Drops everything kept for vhosts and sessions; called after the context is destroyed.
    func releaseAll() {
        retained.removeAll()
        sessions.removeAll()
        shutdownHooks.removeAll()
    }

    /// `hook` runs on the loop thread just before the context is destroyed, so a component can
    /// fail pending work (resume continuations) while lws objects are still valid.
    func onShutdown(_ id: UInt, _ hook: @escaping () -> Void) { shutdownHooks[id] = hook }

    func removeShutdownHook(_ id: UInt) { shutdownHooks[id] = nil }

    func runShutdownHooks() {
        let hooks = shutdownHooks
        shutdownHooks.removeAll()
        for (_, hook) in hooks.sorted(by: { $0.key < $1.key }) { hook() }
    }

    /// Returns a writable region of `LWS_PRE + count` bytes; the scratch buffer when it fits.
    /// Valid until the next call on the loop thread.
    func outputBuffer(count: Int) -> UnsafeMutableRawBufferPointer {
        let needed = Self.writePadding + count
        if needed > scratch.count {
            scratch.deallocate()
            scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: needed, alignment: 16)
        }
        return scratch
    }

    /// Writes one WebSocket message in a single `lws_write` from the padded scratch buffer.
    /// Loop thread only, from a WRITEABLE callback. `false` means the connection must close.
    func write(_ message: WebSocketMessage, on wsi: OpaquePointer) -> Bool {
        let buffer = outputBuffer(count: message.bytes.count)
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let start = base + Self.writePadding
        message.bytes.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress, bytes.count > 0 {
                start.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            }
        }
        let mode = message.isBinary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT
        return lws_write(wsi, start, message.bytes.count, mode) >= message.bytes.count
    }

    // MARK: The libwebsockets callback

    /// The single C callback of every protocol. Routes by the wsi's opaque session id, or, for
    /// a connection that has none yet, to the session registered as its vhost's owner.
    static func callback(wsi: OpaquePointer?, reason: lws_callback_reasons, user: UnsafeMutableRawPointer?,
                         input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        guard let wsi else { return 0 }
        guard let protocolPointer = lws_get_protocol(wsi), let owner = protocolPointer.pointee.user else {
            return reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED ? 0 : lws_callback_http_dummy(wsi, reason, user, input, length)
        }
        let core = Unmanaged<LoopCore>.fromOpaque(owner).takeUnretainedValue()
        if reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED {
            core.drain()
            return 0
        }
        if let tag = lws_get_opaque_user_data(wsi) {
            let id = UInt(bitPattern: tag)
            if let session = core.sessions[id] {
                return session.handle(wsi: wsi, reason: reason, input: input, length: length)
            }
            return orphanResult(reason: reason, wsi: wsi, user: user, input: input, length: length)
        }
        if let vhost = lws_get_vhost(wsi), let vhostTag = lws_vhost_user(vhost),
           let listener = core.sessions[UInt(bitPattern: vhostTag)] {
            return listener.handle(wsi: wsi, reason: reason, input: input, length: length)
        }
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }

    /// A connection whose Swift state is gone (request finished or timed out): data that still
    /// arrives for it has no reader, so the connection is closed.
    private static func orphanResult(reason: lws_callback_reasons, wsi: OpaquePointer, user: UnsafeMutableRawPointer?,
                                     input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP, LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ,
             LWS_CALLBACK_CLIENT_HTTP_WRITEABLE, LWS_CALLBACK_CLIENT_RECEIVE, LWS_CALLBACK_CLIENT_WRITEABLE,
             LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP, LWS_CALLBACK_CLIENT_ESTABLISHED,
             LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            return -1
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP, LWS_CALLBACK_CLIENT_CONNECTION_ERROR, LWS_CALLBACK_CLIENT_CLOSED,
             LWS_CALLBACK_CLOSED, LWS_CALLBACK_CLOSED_HTTP, LWS_CALLBACK_WSI_DESTROY:
            lws_set_opaque_user_data(wsi, nil)
            return 0
        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }
}
