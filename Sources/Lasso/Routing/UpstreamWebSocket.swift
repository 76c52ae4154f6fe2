import Supervision

/// A provider's upstream WebSocket as the request path reaches it: what a chain's board
/// publishes for a `ws` channel while it is up (`ServerRef<WSConnection>` in lassod).
///
/// A protocol, not the process's reference itself, so that what an attempt reads stays one
/// published value whoever fills it in: the connection process in lassod, a stand-in where a
/// test only needs a channel to be up.
public protocol UpstreamWebSocket: Sendable {
    /// The process carrying the socket; its exit takes the channel down. `nil` when nothing
    /// runs behind it.
    var carrier: ProcessRef? { get }

    /// Sends one JSON-RPC request; `completion` is called exactly once, with the reply or why
    /// there is none.
    func send(_ request: [UInt8], timeout: Duration, completion: @escaping @Sendable (UpstreamReply) -> Void)
}
