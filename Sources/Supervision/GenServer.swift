/// A process that owns its state and handles one message at a time, in arrival order.
///
/// The runtime runs each server in its own task: a loop that takes one message from the
/// mailbox, awaits its handler to completion, then takes the next. Unlike an actor, a server is
/// **not reentrant**: while a handler is suspended at an `await`, no other message of this server
/// runs, so state read before the `await` is still true after it.
///
/// ```swift
/// struct Counter: GenServer {
///     enum Call: Sendable { case get }
///     enum Cast: Sendable { case add(Int) }
///     var total = 0
///     mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Int { total }
///     mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
///         if case .add(let n) = message { total += n }
///     }
/// }
/// let counter = try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }
/// counter.cast(.add(2))
/// let total = try await counter.call(.get)   // 2: the cast was handled first (FIFO)
/// ```
/// (Compiled and run by `SupervisionTests/DocExampleTests`.) Calls that answer different types are
/// `ServerCall`s.
///
/// Lifecycle: `initialize` runs before `start` returns (a throw fails the start); a handler that
/// throws ends the process with `.failed(error)`; a stop request (from a supervisor, `stop`, or
/// `context.stop`) is honoured when the current handler returns. `terminate` runs on every exit
/// except a kill (OTP skips it on kill too).
public protocol GenServer: SendableMetatype {
    associatedtype Call: Sendable = Never
    associatedtype Reply: Sendable = Void
    associatedtype Cast: Sendable = Never
    associatedtype Info: Sendable = Never

    /// Runs once, in the process, before `start` returns.
    mutating func initialize(context: ServerContext<Self>) async throws
    /// Answers a `call` with the server's one `Reply` type. Throwing ends the process (the caller
    /// gets `.exited`). Calls that answer different things are `ServerCall`s instead.
    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Reply
    /// Handles a `cast`: fire and forget.
    mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws
    /// Handles an out-of-band message: `info`, or a timer set with `context.sendAfter`.
    mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws
    /// Handles the exit of a process this server monitors (`context.monitor`).
    mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws
    /// Runs as the process stops, with the reason; not on a kill.
    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async
}

extension GenServer {
    public mutating func initialize(context: ServerContext<Self>) async throws {}
    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {}
    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {}
    public mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {}
    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {}
}

extension GenServer where Call == Never {
    public mutating func handleCall(_ request: Never, context: ServerContext<Self>) async throws -> Reply {}
}
