/// What one attempt on one channel produced, as the transport saw it.
public enum UpstreamReply: Sendable, Equatable {
    /// The upstream answered. For WebSocket channels `status` is `nil`.
    case response(status: Int?, retryAfter: String?, body: [UInt8])
    case failure(UpstreamAttemptOutcome.TransportFailure)
}

/// The seam between routing and sockets: sends one JSON-RPC request over one channel.
///
/// `route` is how to reach the channel as the chain's board published it (`nil` when it cannot
/// be reached now); the sender looks nothing up. lassod's `ChannelSender` implements it; tests
/// use a double that answers by channel. `completion` is called exactly once, on any thread
/// (for the libwebsockets transports, on the event-loop thread, which lets the pipeline reply
/// without a thread hop). `idempotent` (every read) lets a transport resend on a fresh
/// connection when a kept-alive one turns out closed before any answer; a write is never sent
/// twice.
public protocol UpstreamSender: Sendable {
    func send(_ request: [UInt8], over channel: Channel, route: UpstreamRoute?, timeout: Duration, idempotent: Bool,
              completion: @escaping @Sendable (UpstreamReply) -> Void)
}
