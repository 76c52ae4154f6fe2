import Synchronization

/// The running form of a `GenServer`: its mailbox and the loop task that owns its state.
final class ServerCore<Server: GenServer>: ProcessCore, @unchecked Sendable {
    // @unchecked: `task` is behind a mutex; everything else is immutable or itself Sendable.
    enum Envelope: Sendable {
        case call(Server.Call, ReplySlot<Server.Reply>)
        case cast(Server.Cast)
        case info(Server.Info)
        case down(Down)
        case describe(ReplySlot<ProcessDescription?>)
    }

    let mailbox = Mailbox<Envelope>()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts the loop and returns once `initialize` has finished; rethrows what it threw.
    static func spawn(label: String, runtime: Runtime,
                      make: @escaping @Sendable () async throws -> Server) async throws -> ServerCore {
        let core = ServerCore(label: label, runtime: runtime)
        let initError: (any Error)? = await withUnsafeContinuation { initialized in
            let loop = Task.detached { await core.run(make: make, initialized: initialized) }
            core.task.withLock { $0 = loop }
        }
        if let initError { throw initError }
        return core
    }

    func deliver(_ envelope: Envelope) -> Bool { mailbox.send(envelope) }

    override func requestStop(_ reason: ExitReason) {
        mailbox.requestStop(reason)
        // Interrupt a handler suspended in cancellable work (sleeps, I/O) so the stop is prompt.
        task.withLock { $0 }?.cancel()
    }

    override func kill() {
        guard finish(.killed) else { return }
        task.withLock { $0 }?.cancel()
        failPending(mailbox.close(reason: .killed), reason: .killed)
    }

    override var mailboxDepth: Int { mailbox.depth }

    override func describe() async -> ProcessDescription? {
        guard Server.self is any DescribesChildren.Type else { return nil }
        let result = await withUnsafeContinuation { continuation in
            let slot = ReplySlot<ProcessDescription?>(continuation)
            guard mailbox.send(.describe(slot)) else { slot.resolve(.failure(.noProcess)); return }
            slot.attach(timer: runtime.clock.schedule(after: runtime.defaultCallTimeout) {
                slot.resolve(.failure(.timeout))
            })
        }
        return (try? result.get()) ?? nil
    }

    // MARK: - The loop

    private func run(make: @Sendable () async throws -> Server,
                     initialized: UnsafeContinuation<(any Error)?, Never>) async {
        let context = ServerContext(core: self)
        var server: Server
        do {
            server = try await make()
            try await server.initialize(context: context)
        } catch {
            let reason = ExitReason.failed(error)
            failPending(mailbox.close(reason: reason), reason: reason)
            finish(reason)
            initialized.resume(returning: error)
            return
        }
        initialized.resume(returning: nil)

        let reason = await handleMessages(&server, context: context)
        if isAlive {
            await server.terminate(reason: reason, context: context)
        }
        failPending(mailbox.close(reason: reason), reason: reason)
        finish(reason)
    }

    /// Handles messages one at a time until a stop or a failure; returns the exit reason.
    private func handleMessages(_ server: inout Server, context: ServerContext<Server>) async -> ExitReason {
        while true {
            let envelope: Envelope
            switch await mailbox.receive() {
            case .stop(let reason): return reason
            case .message(let next): envelope = next
            }
            do {
                switch envelope {
                case .call(let request, let slot):
                    slot.resolve(.success(try await server.handleCall(request, context: context)))
                case .cast(let message):
                    try await server.handleCast(message, context: context)
                case .info(let message):
                    try await server.handleInfo(message, context: context)
                case .down(let down):
                    try await server.handleDown(down, context: context)
                case .describe(let slot):
                    slot.resolve(.success(await (server as? any DescribesChildren)?.describe(runtime: runtime)))
                }
            } catch {
                // A handler cut short by a stop request ends with the requested reason, not as
                // a failure: the interruption was the point.
                let reason = mailbox.pendingStop ?? .failed(error)
                if case .call(_, let slot) = envelope { slot.resolve(.failure(.exited(reason))) }
                return reason
            }
        }
    }

    private func failPending(_ envelopes: [Envelope], reason: ExitReason) {
        for envelope in envelopes {
            switch envelope {
            case .call(_, let slot): slot.resolve(.failure(.exited(reason)))
            case .describe(let slot): slot.resolve(.failure(.exited(reason)))
            case .cast, .info, .down: break
            }
        }
    }
}
