/// Identifies one accepted WebSocket connection of an ``HTTPServer``; never reused while the
/// loop runs.
public struct WebSocketConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// The number lws's session table uses for this connection.
    public let rawValue: UInt
    /// Wraps a raw connection number.
    public init(rawValue: UInt) { self.rawValue = rawValue }
    /// `ws#<number>`, for logs.
    public var description: String { "ws#\(rawValue)" }
}
