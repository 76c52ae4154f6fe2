/// A typed handle to a running `GenServer`: `call`, `cast` and `info` with its own message types.
public struct ServerRef<Server: GenServer>: Sendable, Hashable {
    let core: ServerCore<Server>

    init(_ core: ServerCore<Server>) { self.core = core }

    /// Starts a server and returns once its `initialize` has completed.
    ///
    /// `make` and `initialize` run before this returns, in the calling task (as OTP's start
    /// blocks until `init` returns); from then on the state is touched only by the process. If
    /// either throws, the process exits with `.failed` and this rethrows.
    public static func start(label: String, runtime: Runtime = .shared,
                             _ make: @Sendable () async throws -> Server) async throws -> ServerRef {
        ServerRef(try await ServerCore.spawn(label: label, runtime: runtime, make: make))
    }

    /// The type-erased handle, for supervisors, registries and monitors.
    public var process: ProcessRef { ProcessRef(core) }
    public var pid: PID { core.pid }

    /// Sends `request` to `handleCall` and waits for the reply.
    ///
    /// - Throws: `CallError.timeout` after `timeout` (default: the runtime's, 5 s), and the late
    ///   reply is dropped; `.noProcess` if the server is not running; `.exited(reason)` if it
    ///   exits before replying.
    public func call(_ request: Server.Call, timeout: Duration? = nil) async throws(CallError) -> Server.Reply {
        try await core.call(HandleCall(request: request), timeout: timeout ?? core.runtime.defaultCallTimeout).get()
    }

    /// Sends a call that carries its own reply type and waits for that reply.
    ///
    /// - Throws: as `call(_:timeout:)` above.
    public func call<Reply>(_ call: ServerCall<Server, Reply>, timeout: Duration? = nil) async throws(CallError) -> Reply {
        try await core.call(call, timeout: timeout ?? core.runtime.defaultCallTimeout).get()
    }

    /// Sends `message` without waiting. Never fails: a message to an exited server is dropped.
    public func cast(_ message: Server.Cast) { _ = core.deliver(.cast(message)) }

    /// Sends an out-of-band message to `handleInfo`. Dropped if the server has exited.
    public func info(_ message: Server.Info) { _ = core.deliver(.info(message)) }

    /// Asks the server to stop with `reason` and returns at once.
    public func stop(_ reason: ExitReason = .normal) { core.requestStop(reason) }

    public static func == (lhs: ServerRef, rhs: ServerRef) -> Bool { lhs.pid == rhs.pid }
    public func hash(into hasher: inout Hasher) { hasher.combine(pid) }
}

extension ProcessRef {
    /// The typed handle, if this process runs a `Server`.
    public func server<Server: GenServer>(_ type: Server.Type) -> ServerRef<Server>? {
        (core as? ServerCore<Server>).map(ServerRef.init)
    }
}
