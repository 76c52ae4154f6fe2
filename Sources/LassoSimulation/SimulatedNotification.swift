/// One `eth_subscription` message for a WebSocket client, produced by
/// `SimulatedSubscriptions.tick(behavior:now:)`.
public struct SimulatedNotification: Sendable, Equatable {
    /// The subscription it belongs to.
    public var subscriptionID: String
    /// The block whose header or log it carries.
    public var blockNumber: UInt64
    /// The whole message: `{"jsonrpc":"2.0","method":"eth_subscription","params":{…}}`.
    public var body: [UInt8]

    /// Creates a notification.
    public init(subscriptionID: String, blockNumber: UInt64, body: [UInt8]) {
        self.subscriptionID = subscriptionID
        self.blockNumber = blockNumber
        self.body = body
    }

    /// The body as text, for logs and tests.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
