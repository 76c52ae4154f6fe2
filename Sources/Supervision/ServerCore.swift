import Synchronization

/// The running form of a `GenServer`: its mailbox, its state, and the drainer task that runs
/// while it has messages.
///
/// The server's state lives here between messages. Only the drainer touches it, and there is at
/// most one drainer at a time (see `Mailbox`); the drainer takes the state out while it handles
/// a message and puts it back before it can go idle, so a new drainer always finds it.
final class ServerCore<Server: GenServer>: ProcessCore, @unchecked Sendable {
    // @unchecked: `server` is touched only by the starter until `spawn` returns and then by the
    // single drainer, which the mailbox's `scheduled` flag (set and cleared under its lock) makes
    // exclusive; `drainer` is behind its own mutex.
    enum Envelope: Sendable {
        /// Any call, whatever it answers (`ServerCall` or `handleCall`).
        case call(any PendingCall<Server>)
        case cast(Server.Cast)
        case info(Server.Info)
        case down(Down)
    }

    let mailbox = Mailbox<Envelope>(scheduled: true)
    private var server: Server?
    /// The current drainer's task, for a stop request to cancel; `nil` while the process is idle.
    private let drainer = Mutex(DrainerSlot())

    /// Starts the process and returns once `initialize` has finished; rethrows what it threw.
    ///
    /// `make` and `initialize` run in the starting task, which waits for them anyway (OTP's
    /// start blocks until `init` returns); that saves a task switch per start. Messages sent to
    /// the process meanwhile queue, and a drainer starts for them when `initialize` returns.
    static func spawn(label: String, runtime: Runtime,
                      make: @Sendable () async throws -> Server) async throws -> ServerCore {
        let core = ServerCore(label: label, runtime: runtime)
        do {
            var made = try await make()
            try await made.initialize(context: ServerContext(core: core))
            core.server = made
        } catch {
            let reason = ExitReason.failed(error)
            let unanswered = core.mailbox.close(reason: reason)
            core.finish(reason)
            core.failPending(unanswered, reason: reason)
            throw error
        }
        if core.mailbox.finishInitialization() {
            core.startDrainer { await core.drain() }
        }
        return core
    }

    func deliver(_ envelope: Envelope) -> Bool {
        switch mailbox.send(envelope) {
        case .rejected: return false
        case .queued: return true
        case .queuedStartDrainer:
            startDrainer { await self.drain() }
            return true
        }
    }

    override func requestStop(_ reason: ExitReason) {
        if mailbox.requestStop(reason) {
            startDrainer { await self.drain() }
        } else {
            // Interrupt a handler suspended in cancellable work (sleeps, I/O) so the stop is prompt.
            drainer.withLock { $0.task }?.cancel()
        }
    }

    /// Stops this process from inside one of its own handlers: no cancellation, since the
    /// handler asking is still running.
    func stopFromHandler(_ reason: ExitReason) {
        _ = mailbox.requestStop(reason)
    }

    override func kill() {
        // The mailbox closes before the exit is recorded: recording it runs the monitors, and
        // what they set off (a socket the process owned closing, and telling it so) must reach
        // no handler of the dead process. A drainer that is running handles nothing more.
        let undelivered = mailbox.kill()
        guard finish(.killed) else {
            failPending(undelivered, reason: exitReason ?? .killed)
            return
        }
        drainer.withLock { $0.task }?.cancel()
        failPending(undelivered, reason: .killed)
    }

    override var mailboxDepth: Int { mailbox.depth }

    override func describe() async -> ProcessDescription? {
        guard Server.self is any Supervising.Type else { return nil }
        let describe = ServerCall<Server, ProcessDescription?> { server, context in
            await (server as? any Supervising)?.describe(runtime: context.runtime)
        }
        return (try? await call(describe, timeout: runtime.defaultCallTimeout).get()) ?? nil
    }

    /// Sends `call` and waits for its answer, or for the timeout or the exit that comes first.
    func call<Request: CallRequest>(_ call: Request, timeout: Duration) async -> Result<Request.Reply, CallError>
        where Request.Server == Server {
        await withUnsafeContinuation { continuation in
            let slot = ReplySlot(call, continuation: continuation)
            guard deliver(.call(slot)) else {
                slot.fail(.noProcess)
                return
            }
            slot.attach(timer: runtime.clock.schedule(after: timeout) { slot.fail(.timeout) })
        }
    }

    // MARK: - The drainer

    /// Starts a drainer task. The task is created outside the lock (creating it enqueues it and
    /// may wake a thread, and the previous drainer, finishing, waits for that lock); the slot
    /// keeps only the task of the newest drainer that has not finished.
    private func startDrainer(_ body: @escaping @Sendable () async -> Void) {
        let generation = drainer.withLock { $0.begin() }
        let task = Task.detached(executorPreference: runtime.executor) {
            await body()
            self.drainer.withLock { $0.finish(generation) }
        }
        drainer.withLock { $0.record(task, generation: generation) }
    }

    /// Handles messages one at a time until the mailbox is empty (the drainer ends) or a stop.
    private func drain() async {
        let context = ServerContext(core: self)
        while let delivery = await nextDelivery() {
            guard var state = server.take() else {
                exitWithoutState(undelivered: delivery)
                return
            }
            switch delivery {
            case .stop(let reason):
                await exit(&state, reason: reason, context: context)
                return
            case .message(let envelope):
                if let failure = await handle(envelope, server: &state, context: context) {
                    await exit(&state, reason: failure, context: context, failedCall: envelope)
                    return
                }
            }
            server = state
        }
    }

    /// The next delivery, or `nil` when the drainer should end. Before ending it yields once and
    /// looks again: a sender on another thread often has the next message on its way, and
    /// catching it here is cheaper than starting a new drainer for it.
    private func nextDelivery() async -> Mailbox<Envelope>.Delivery? {
        if !mailbox.hasWork { await Task.yield() }
        return mailbox.next()
    }

    /// Runs one message's handler; returns the exit reason if the handler threw. A call whose
    /// handler threw is answered by `exit`, once the process has exited.
    private func handle(_ envelope: Envelope, server: inout Server, context: ServerContext<Server>) async -> ExitReason? {
        do {
            switch envelope {
            case .call(let call):
                try await call.answer(&server, context: context)
            case .cast(let message):
                try await server.handleCast(message, context: context)
            case .info(let message):
                try await server.handleInfo(message, context: context)
            case .down(let down):
                try await server.handleDown(down, context: context)
            }
            return nil
        } catch {
            // A handler cut short by a stop request ends with the requested reason, not as a
            // failure: the interruption was the point.
            return mailbox.pendingStop ?? .failed(error)
        }
    }

    /// Runs `terminate`, records the exit, then fails the calls left: as in OTP, where a caller
    /// learns of the exit from its monitor, a caller told `.exited` finds the process exited.
    private func exit(_ state: inout Server, reason: ExitReason, context: ServerContext<Server>,
                      failedCall: Envelope? = nil) async {
        if isAlive {
            await state.terminate(reason: reason, context: context)
        }
        var unanswered = mailbox.close(reason: reason)
        if let failedCall { unanswered.insert(failedCall, at: 0) }
        finish(reason)
        failPending(unanswered, reason: reason)
    }

    /// A drainer that finds no state breaks the invariant this class keeps (the state is back
    /// before the mailbox can go idle). The process could handle nothing more; left alone it
    /// would take messages forever and answer none, its callers waiting out their timeouts and
    /// its supervisor never knowing. So it ends as failed with `RuntimeFault.stateMissing`,
    /// which its monitors (its supervisor) see like any crash. `terminate` cannot run: there is
    /// no state to run it on.
    private func exitWithoutState(undelivered delivery: Mailbox<Envelope>.Delivery) {
        let reason = ExitReason.failed(RuntimeFault.stateMissing(process: "\(label)\(pid)"))
        var undelivered = mailbox.close(reason: reason)
        if case .message(let envelope) = delivery { undelivered.insert(envelope, at: 0) }
        finish(reason)
        failPending(undelivered, reason: reason)
    }

    private func failPending(_ envelopes: [Envelope], reason: ExitReason) {
        for case .call(let call) in envelopes { call.fail(.exited(reason)) }
    }
}
