/// A chain's `connection:` — upstream WebSocket keep-alive and reconnection.
///
/// Read and validated, but not applied yet: every upstream WebSocket keeps the transport's own
/// keep-alive and reconnection backoff (`ReconnectBackoff`), whatever these say.
public struct ConnectionConfig: Sendable, Equatable {
    /// Interval between WebSocket pings (key `heartbeat_interval`, ms). Default 30 s.
    public var heartbeatInterval: Duration
    /// Delay before reconnecting a dropped WebSocket (key `reconnect_interval`, ms). Default 5 s.
    public var reconnectInterval: Duration
    /// Reconnection attempts before the connection is reported failed. Default 10.
    public var maxReconnectAttempts: Int

    /// Creates a connection section; the defaults are those of an absent `connection:`.
    public init(heartbeatInterval: Duration = .seconds(30), reconnectInterval: Duration = .seconds(5),
                maxReconnectAttempts: Int = 10) {
        self.heartbeatInterval = heartbeatInterval
        self.reconnectInterval = reconnectInterval
        self.maxReconnectAttempts = maxReconnectAttempts
    }

    static let keys = ["heartbeat_interval", "reconnect_interval", "max_reconnect_attempts"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = ConnectionConfig()
        self.init(heartbeatInterval: decoder.milliseconds(fields, "heartbeat_interval", in: 1...Int.max)
                      ?? defaults.heartbeatInterval,
                  reconnectInterval: decoder.milliseconds(fields, "reconnect_interval", in: 1...Int.max)
                      ?? defaults.reconnectInterval,
                  maxReconnectAttempts: decoder.int(fields, "max_reconnect_attempts", in: 0...Int.max)
                      ?? defaults.maxReconnectAttempts)
    }
}
