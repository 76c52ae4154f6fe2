/// One complete WebSocket message (fragments already reassembled).
public struct WebSocketMessage: Sendable, Equatable {
    /// True for a binary message, false for text.
    public var isBinary: Bool
    /// The payload; for text, UTF-8 (libwebsockets validates it and closes with 1007 otherwise).
    public var bytes: [UInt8]

    /// A message of the given kind.
    public init(isBinary: Bool, bytes: [UInt8]) {
        self.isBinary = isBinary
        self.bytes = bytes
    }

    /// A text message.
    public static func text(_ text: String) -> WebSocketMessage { WebSocketMessage(isBinary: false, bytes: Array(text.utf8)) }

    /// The payload decoded as UTF-8 text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
