/// A call in a server's mailbox, with its reply type erased so that one kind of envelope carries
/// every call whatever it answers. Implemented by `ReplySlot`.
protocol PendingCall<Server>: AnyObject, Sendable {
    associatedtype Server: GenServer
    /// Runs the call's handler on the server's state and delivers its reply; rethrows what the
    /// handler threw, leaving the caller unanswered so the server can answer with its exit.
    func answer(_ server: inout Server, context: ServerContext<Server>) async throws
    /// Delivers `error` instead of a reply.
    func fail(_ error: CallError)
}
