import CLassoShim
import CLibWebSockets
import Dispatch
import Foundation
import Synchronization

/// One libwebsockets context serviced by one dedicated thread: every socket of lassod lives on
/// such a loop (HTTP and WebSocket server, HTTP and WebSocket clients).
///
/// Guarantees:
/// - All lws calls happen on the loop thread. Other threads reach it only through ``execute(_:)``,
///   which appends to a mutex-protected queue and wakes the loop with `lws_cancel_service`; the
///   queue is drained in `LWS_CALLBACK_EVENT_WAIT_CANCELLED`.
/// - Commands run in submission order, one at a time, on the loop thread.
/// - ``stop()`` tears down everything the loop owns (connections, listeners, timers, the wake
///   pipe and the thread) and fails whatever was still pending; after it returns no fd opened
///   by the loop remains.
///
/// ```swift
/// let loop = try EventLoop()
/// let server = try HTTPServer(loop: loop, configuration: .init(port: 0), router: router)   // port 0: any free one, see server.port
/// // … serve …
/// loop.stop()
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public final class EventLoop: Sendable {
    /// Settings that apply to the whole context.
    public struct Configuration: Sendable {
        /// The process's soft `RLIMIT_NOFILE` is raised up to this (bounded by the hard limit)
        /// before the context is created; lws sizes its descriptor table from it.
        public var maxOpenFiles: Int
        /// libwebsockets log mask (`LLL_ERR` = 1, `LLL_WARN` = 2, …); lines go to stderr.
        public var logMask: Int32

        /// Settings with the defaults documented on each property.
        public init(maxOpenFiles: Int = 65_536, logMask: Int32 = 1) {
            self.maxOpenFiles = maxOpenFiles
            self.logMask = logMask
        }
    }

    let core: LoopCore
    private let finished = DispatchGroup()

    /// Starts the loop thread and creates the lws context on it; returns once it is serving.
    public init(configuration: Configuration = .init()) throws(EventLoopError) {
        let core = LoopCore()
        self.core = core
        OpenFileLimit.raise(to: configuration.maxOpenFiles)
        let started = Mutex<Bool?>(nil)
        let ready = DispatchSemaphore(value: 0)
        finished.enter()
        let group = finished
        let thread = Thread {
            // Foundation does not name the pthread on Linux; tools (top, perf, the fuzzer) read this.
            lasso_name_thread("lasso-lws")
            core.threadID.store(UInt(pthread_self()), ordering: .releasing)
            let context = Self.createContext(core: core, configuration: configuration)
            started.withLock { $0 = context != nil }
            if let context {
                core.context = context
                let handle = LoopCore.ContextHandle(pointer: context)
                core.inbox.withLock { $0.context = handle }
                ready.signal()
                Self.run(core: core, context: context)
            } else {
                ready.signal()
            }
            group.leave()
        }
        thread.start()
        ready.wait()
        guard started.withLock({ $0 }) == true else {
            finished.wait()
            throw .contextCreationFailed
        }
    }

    deinit {
        requestStop()
    }

    /// True when called on this loop's thread. Code that is can call loop-confined APIs directly.
    public var inEventLoop: Bool { core.isOnLoop }

    /// Runs `work` on the loop thread, after the commands submitted before it. Returns false
    /// (and drops `work`) when the loop is stopped or stopping.
    @discardableResult
    public func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        core.submit(work)
    }

    /// Runs `work` on the loop thread after the callbacks of the current loop turn. Called on
    /// the loop thread it wakes nothing (a zero-delay timer): what a turn produced can be handed
    /// on once, at its end, instead of once per request. From another thread it is ``execute(_:)``.
    @discardableResult
    public func executeAfterTurn(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard core.isOnLoop else { return core.submit(work) }
        guard let context = core.context else { return false }
        core.timers.schedule(in: context, after: .zero, work)
        return true
    }

    /// Runs `work` on the loop thread once `delay` has passed (a loop timer). Returns false
    /// (and drops `work`) when the loop is stopped.
    @discardableResult
    public func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> Bool {
        let core = self.core
        let schedule: @Sendable () -> Void = {
            guard let context = core.context else { return }
            core.timers.schedule(in: context, after: delay, work)
        }
        if core.isOnLoop {
            guard core.context != nil else { return false }
            schedule()
            return true
        }
        return core.submit(schedule)
    }

    /// Stops the loop and waits until its thread has released every resource. Idempotent; safe
    /// from any thread except the loop's own (there it only requests the stop).
    public func stop() {
        requestStop()
        if !core.isOnLoop { finished.wait() }
    }

    /// Runs `body` on the loop thread and waits for its result; nil when the loop is stopped.
    /// Runs inline when already on the loop thread.
    func performAndWait<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T? {
        if core.isOnLoop { return body() }
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        guard core.submit({
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }) else { return nil }
        done.wait()
        return result.withLock { $0 }
    }

    /// Starts `body` on the loop thread and waits until it calls the completion it is given;
    /// on the loop thread it only starts it (waiting there would deadlock). Returns at once when
    /// the loop is stopped.
    func startAndWait(_ body: @escaping @Sendable (_ completion: @escaping () -> Void) -> Void) {
        if core.isOnLoop {
            body {}
            return
        }
        let done = DispatchSemaphore(value: 0)
        guard core.submit({ body { done.signal() } }) else { return }
        done.wait()
    }

    private func requestStop() {
        let core = self.core
        _ = core.submit { core.stopRequested = true }
    }

    private static func createContext(core: LoopCore, configuration: Configuration) -> OpaquePointer? {
        lasso_lws_set_log_level(configuration.logMask)
        var info = lws_context_creation_info()
        // No fd_limit_per_thread: with it lws finds a descriptor's wsi by scanning its whole
        // table on every event instead of indexing it (measured at 12–16 % of the loop).
        info.options = UInt64(LWS_SERVER_OPTION_EXPLICIT_VHOSTS)
        info.port = CONTEXT_PORT_NO_LISTEN
        info.count_threads = 1
        guard let context = lws_create_context(&info) else { return nil }
        // Sockets are adopted into this one non-listening vhost as raw descriptors; lws also
        // broadcasts EVENT_WAIT_CANCELLED only to protocols bound to a vhost.
        var vhostInfo = lws_context_creation_info()
        vhostInfo.port = CONTEXT_PORT_NO_LISTEN
        vhostInfo.protocols = UnsafePointer(core.protocols)
        vhostInfo.vhost_name = UnsafePointer(core.vhostName)
        guard let vhost = lws_create_vhost(context, &vhostInfo) else {
            lws_context_destroy(context)
            return nil
        }
        core.vhost = vhost
        return context
    }

    /// The loop thread's life: service until asked to stop, then shut down in an order that lets
    /// components fail pending work while their lws objects still exist.
    private static func run(core: LoopCore, context: OpaquePointer) {
        while !core.stopRequested {
            if lws_service(context, 0) < 0 { break }
        }
        core.runShutdownHooks()
        core.inbox.withLock { $0.context = nil }
        core.closeAllSockets()
        core.timers.removeAll()
        lws_context_destroy(context)
        core.context = nil
        core.vhost = nil
        // Commands that raced with the stop run now; they see no context and fail cleanly.
        core.drain()
        core.threadID.store(0, ordering: .releasing)
    }
}
