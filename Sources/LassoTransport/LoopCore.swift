import CLassoShim
import CLibWebSockets
import Foundation
import Synchronization

/// The state of one ``EventLoop``: a thread-safe inbox, and everything the loop thread owns.
///
/// Two halves with different rules:
/// - `inbox`, `threadID` and ``uniqueNumber()`` may be used from any thread: a mutex-protected
///   command list plus the context handle used to wake the loop with `lws_cancel_service` (the
///   only lws call that is safe off the loop thread), and two atomics.
/// - Everything else (context, sockets, timers) is confined to the loop thread. That confinement
///   is what `@unchecked Sendable` stands for here; ``assertOnLoop()`` checks it in debug builds
///   at every entry of every loop-confined class of the transport.
///
/// libwebsockets finds the core through the protocol's user pointer; the core outlives the
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
    /// The one vhost of the context: every socket is adopted into it as a raw descriptor.
    var vhost: OpaquePointer?
    let vhostName: UnsafeMutablePointer<CChar>? = strdup("lasso")
    var stopRequested = false
    private var sockets: [UInt: LoopSocket] = [:]
    /// Atomic: the server and line-server states take their hook keys when they are built, on
    /// the caller's thread, while the loop may be adopting sockets.
    private let nextID = Atomic<UInt>(1)
    private var shutdownHooks: [UInt: () -> Void] = [:]
    /// Sockets whose output is still pending after a WRITEABLE callback: lws clears the
    /// descriptor's POLLOUT interest right after that callback returns, so they ask again from
    /// a timer that runs before the next poll.
    private var writableRearms: [LoopSocket] = []
    /// The protocol table: one protocol, whose callback routes every event by socket id.
    let protocols: UnsafeMutablePointer<lws_protocols>
    private let protocolName: UnsafeMutablePointer<CChar>?
    lazy var timers: LoopTimers = LoopTimers(core: self) { owner in
        guard let owner else { return }
        let core = Unmanaged<LoopCore>.fromOpaque(owner).takeUnretainedValue()
        if let context = core.context { core.timers.fire(context) }
    }
    /// A per-loop cache of the `date` header value, refreshed once a second.
    var httpDate = HTTPDate()
    /// Where sockets read into. A handler processes what it read before returning and copies
    /// only an incomplete remainder, so idle connections hold no buffer of their own. Valid
    /// until the next read on this loop.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

    init() {
        protocolName = strdup("lasso")
        protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(protocolName)
        protocols[0].callback = { wsi, reason, user, input, length in
            LoopCore.callback(wsi: wsi, reason: reason, user: user, input: input, length: length)
        }
        protocols[0].user = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        free(protocolName)
        free(vhostName)
        readBuffer.deallocate()
    }

    /// True on the loop thread.
    var isOnLoop: Bool {
        let owner = threadID.load(ordering: .acquiring)
        return owner != 0 && pthread_equal(pthread_self(), pthread_t(owner)) != 0
    }

    /// Checks, in debug builds, that a loop-confined object is used on its loop thread. Every
    /// entry point of a loop-confined class calls it (this core's loop half, the timers, the
    /// sockets and listeners, the server, client and line-server states, their connections and
    /// pools, the WebSocket channel), so the test suite catches a call from the wrong thread
    /// where it is made. The entries lws itself calls (``callback(wsi:reason:user:input:length:)``
    /// and the socket's `lws…` events, which check) need no check of their own, nor do the
    /// ``SocketHandler`` methods only a socket calls from them. It is an assertion, not a
    /// precondition: a release build must not trap the daemon over it, and pays nothing for it.
    func assertOnLoop(_ file: StaticString = #fileID, _ line: UInt = #line) {
        assert(isOnLoop || threadID.load(ordering: .acquiring) == 0, "loop-confined state used off its loop", file: file, line: line)
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
    /// more than once per wake-up: later calls find the inbox empty.
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

    // MARK: Sockets

    /// A number never handed out before on this loop (socket ids, hook keys). Any thread.
    func uniqueNumber() -> UInt {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    func register(_ socket: LoopSocket) {
        assertOnLoop()
        sockets[socket.id] = socket
    }

    func unregister(_ socket: LoopSocket) {
        assertOnLoop()
        sockets[socket.id] = nil
    }

    /// Open sockets, for the shutdown sweep and tests.
    var socketCount: Int {
        assertOnLoop()
        return sockets.count
    }

    /// Asks lws for POLLOUT on `socket` again before the next poll (see `writableRearms`).
    func rearmWritable(_ socket: LoopSocket) {
        assertOnLoop()
        guard let context else { return }
        if writableRearms.isEmpty {
            timers.schedule(in: context, after: .zero) { [self] in
                let due = writableRearms
                writableRearms.removeAll()
                for socket in due { socket.requestWritable() }
            }
        }
        writableRearms.append(socket)
    }

    /// `hook` runs on the loop thread just before the context is destroyed, so a component can
    /// fail pending work (resume continuations) while its sockets still exist.
    func onShutdown(_ id: UInt, _ hook: @escaping () -> Void) {
        assertOnLoop()
        shutdownHooks[id] = hook
    }

    func removeShutdownHook(_ id: UInt) {
        assertOnLoop()
        shutdownHooks[id] = nil
    }

    func runShutdownHooks() {
        assertOnLoop()
        let hooks = shutdownHooks
        shutdownHooks.removeAll()
        for (_, hook) in hooks.sorted(by: { $0.key < $1.key }) { hook() }
    }

    /// Reports every socket still open as closed by the loop's end; lws closes the descriptors
    /// when the context is destroyed.
    func closeAllSockets() {
        assertOnLoop()
        let remaining = sockets.values.sorted { $0.id < $1.id }
        for socket in remaining { socket.loopEnded() }
        sockets.removeAll()
        writableRearms.removeAll()
    }

    // MARK: The libwebsockets callback

    /// The single C callback. Every descriptor is adopted as a raw file, so lws only reports
    /// readiness; the socket's id travels in the wsi's opaque user data.
    static func callback(wsi: OpaquePointer?, reason: lws_callback_reasons, user: UnsafeMutableRawPointer?,
                         input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        guard let wsi, let protocolPointer = lws_get_protocol(wsi), let owner = protocolPointer.pointee.user else {
            return 0
        }
        let core = Unmanaged<LoopCore>.fromOpaque(owner).takeUnretainedValue()
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            // Always 0: anything else would close the cancel pipe and lose later wake-ups.
            core.drain()
            return 0
        case LWS_CALLBACK_RAW_RX_FILE:
            return core.socket(of: wsi)?.lwsReadable() ?? -1
        case LWS_CALLBACK_RAW_WRITEABLE_FILE:
            return core.socket(of: wsi)?.lwsWritable() ?? -1
        case LWS_CALLBACK_RAW_CLOSE_FILE:
            core.socket(of: wsi)?.lwsClosed()
            lws_set_opaque_user_data(wsi, nil)
            return 0
        default:
            return 0
        }
    }

    private func socket(of wsi: OpaquePointer) -> LoopSocket? {
        guard let tag = lws_get_opaque_user_data(wsi) else { return nil }
        return sockets[UInt(bitPattern: tag)]
    }
}
