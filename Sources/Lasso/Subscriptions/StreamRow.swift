import Supervision
import LassoTransport

/// One subscription key's row of a `SubscriptionTable`: its clients, the coordinator that
/// serves them, and what the stream has delivered. Everything a successor needs to go on
/// where a killed coordinator stopped lives here, not in the process.
struct StreamRow {
    /// Confirmed clients: each event goes to every one of them.
    var live: [FanOutTarget] = []
    /// Clients still owed their `eth_subscribe` answer.
    var pending: [PendingSubscription] = []
    /// The process serving the key, once it has bound itself.
    var coordinator: ServerRef<StreamCoordinator>?
    /// What has been delivered: the next event is judged against it.
    var continuity: StreamContinuity
    /// Where the stream comes from and how it has fared, for status.
    var status: StreamStatus

    init(key: SubscriptionKey) {
        continuity = StreamContinuity(kind: key.kind)
        status = StreamStatus(key: key)
    }

    var hasClients: Bool { !live.isEmpty || !pending.isEmpty }

    mutating func change<T>(_ body: (inout StreamRow) -> T) -> T { body(&self) }
}

/// A confirmed client subscription as fan-out needs it: where to send, and the id to write.
public struct FanOutTarget: Sendable {
    /// lassod's id for the subscription (`0x` and 32 hex digits).
    public let id: String
    public let connection: WebSocketConnectionID
    /// The id as a JSON string, ready to patch into each notification.
    public let quotedID: [UInt8]

    init(id: String, connection: WebSocketConnectionID) {
        self.id = id
        self.connection = connection
        quotedID = Array("\"\(id)\"".utf8)
    }
}

/// A client `eth_subscribe` that is not answered yet.
public struct PendingSubscription: Sendable {
    public let id: String
    public let connection: WebSocketConnectionID
    /// The request's id, as the client wrote it: the answer echoes it.
    public let requestID: [UInt8]
}
