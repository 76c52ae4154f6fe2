/// A call that carries its own reply type, so that each call of a server answers exactly what it
/// means and its caller unpacks nothing.
///
/// `GenServer.handleCall` answers every call of a server with the one `Reply` type; a server
/// whose calls answer different things would have to wrap the answers in one enum, and each
/// caller would need error branches for answers its call can never get. A `ServerCall` names its
/// own `Reply` instead. Define a server's calls as static members, so that callers write
/// `server.call(.name)`; the handler is the server's own code, running in its process exactly
/// like `handleCall`: one message at a time, in mailbox order, and a throw ends the process
/// (the caller gets `.exited`). This example is compiled and run by `SupervisionTests/DocExampleTests`:
///
/// ```swift
/// struct Tally: GenServer {
///     private(set) var total = 0
///     mutating func add(_ amount: Int) -> Int { total += amount; return total }
/// }
/// extension ServerCall where Server == Tally {
///     static var total: ServerCall<Tally, Int> { .init { tally, _ in tally.total } }
///     static func add(_ amount: Int) -> ServerCall<Tally, Int> { .init { tally, _ in tally.add(amount) } }
/// }
/// let tally = try await ServerRef.start(label: "Tally", runtime: runtime) { Tally() }
/// _ = try await tally.call(.add(2))
/// let total: Int = try await tally.call(.total)   // 2
/// ```
public struct ServerCall<Server: GenServer, Reply: Sendable>: Sendable {
    let handler: @Sendable (inout Server, ServerContext<Server>) async throws -> Reply

    /// A call answered by `handler`, run in the server's process with its state and context.
    public init(_ handler: @escaping @Sendable (inout Server, ServerContext<Server>) async throws -> Reply) {
        self.handler = handler
    }
}
