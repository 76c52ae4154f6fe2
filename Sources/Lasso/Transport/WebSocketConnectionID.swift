/// Identifies one accepted WebSocket connection of an ``HTTPServer``; never reused while the
/// loop runs.
public struct WebSocketConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public var description: String { "ws#\(rawValue)" }
}
