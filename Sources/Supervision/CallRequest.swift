/// What a call asks of a server, with the type of its answer: a `ServerCall`, or a server's
/// `Call` for `handleCall` (`HandleCall`). Kept by value in the call's `ReplySlot`, so a call
/// costs one allocation whichever kind it is.
protocol CallRequest: Sendable {
    associatedtype Server: GenServer
    associatedtype Reply: Sendable
    /// Runs in the server's process, with its state; a throw ends the process.
    func handle(_ server: inout Server, context: ServerContext<Server>) async throws -> Reply
}

extension ServerCall: CallRequest {
    func handle(_ server: inout Server, context: ServerContext<Server>) async throws -> Reply {
        try await handler(&server, context)
    }
}

/// A server's own `Call`, answered by its `handleCall` with its one `Reply` type.
struct HandleCall<Server: GenServer>: CallRequest {
    let request: Server.Call

    func handle(_ server: inout Server, context: ServerContext<Server>) async throws -> Server.Reply {
        try await server.handleCall(request, context: context)
    }
}
