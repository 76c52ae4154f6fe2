/// What `RPCService` answers one request body with, whatever carried it: the bytes to send and
/// what kind of answer they are, which an HTTP adapter turns into a status and a WebSocket
/// adapter ignores (it sends the bytes, if any, as one message).
public struct RPCReply: Sendable {
    /// What kind of answer `body` is.
    public enum Status: Sendable, Equatable {
        /// A JSON-RPC response (a result or an error), or a batch's array of them.
        case answered
        /// Nothing is owed: a notification, or a batch of them. `body` is empty.
        case noContent
        /// The target's chain is no longer configured (a reload removed it).
        case chainNotFound
        /// The target's chain is configured but not running (stopped, or restarting).
        case chainNotRunning
    }

    public var status: Status
    public var body: [UInt8]
    /// Routing metadata for a transport that carries it beside the body (HTTP headers): only
    /// when the client asked for `headers`.
    public var metadata: [(name: String, value: String)]

    public init(status: Status, body: [UInt8], metadata: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.metadata = metadata
    }
}
