/// A chain's `connection:` — upstream WebSocket keep-alive and reconnection.
///
/// Read and validated, but not applied yet: every upstream WebSocket keeps the transport's own
/// keep-alive and reconnection backoff (`ReconnectBackoff`), whatever these say.
public struct ConnectionConfig: Sendable, Equatable {
    /// Interval between WebSocket pings (key `heartbeat_interval`, ms). Default 30 000.
    public var heartbeatIntervalMs: Int
    /// Delay before reconnecting a dropped WebSocket (key `reconnect_interval`, ms). Default 5 000.
    public var reconnectIntervalMs: Int
    /// Reconnection attempts before the connection is reported failed. Default 10.
    public var maxReconnectAttempts: Int

    /// Creates a connection section; the defaults are those of an absent `connection:`.
    public init(heartbeatIntervalMs: Int = 30_000, reconnectIntervalMs: Int = 5_000, maxReconnectAttempts: Int = 10) {
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.reconnectIntervalMs = reconnectIntervalMs
        self.maxReconnectAttempts = maxReconnectAttempts
    }

    static let keys = ["heartbeat_interval", "reconnect_interval", "max_reconnect_attempts"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = ConnectionConfig()
        self.init(heartbeatIntervalMs: decoder.int(fields, "heartbeat_interval", in: 1...Int.max) ?? defaults.heartbeatIntervalMs,
                  reconnectIntervalMs: decoder.int(fields, "reconnect_interval", in: 1...Int.max) ?? defaults.reconnectIntervalMs,
                  maxReconnectAttempts: decoder.int(fields, "max_reconnect_attempts", in: 0...Int.max)
                      ?? defaults.maxReconnectAttempts)
    }
}
