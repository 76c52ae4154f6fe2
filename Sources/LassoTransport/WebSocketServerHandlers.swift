/// What an ``HTTPServer`` does with WebSocket clients. Every closure runs on the loop thread and
/// must not block; answer with ``HTTPServer/send(_:_:)`` (any thread).
public struct WebSocketServerHandlers: Sendable {
    /// A client completed the upgrade; the request carries its path, query and headers.
    public var onOpen: @Sendable (WebSocketConnectionID, HTTPRequest) -> Void
    /// A complete message arrived.
    public var onMessage: @Sendable (WebSocketConnectionID, WebSocketMessage) -> Void
    /// The connection is gone; the code is the peer's close code, the one the server sent, or
    /// 1006 when the socket dropped without a close frame.
    public var onClose: @Sendable (WebSocketConnectionID, WebSocketCloseCode) -> Void

    /// Handlers; only `onMessage` is required.
    public init(onOpen: @escaping @Sendable (WebSocketConnectionID, HTTPRequest) -> Void = { _, _ in },
                onMessage: @escaping @Sendable (WebSocketConnectionID, WebSocketMessage) -> Void,
                onClose: @escaping @Sendable (WebSocketConnectionID, WebSocketCloseCode) -> Void = { _, _ in }) {
        self.onOpen = onOpen
        self.onMessage = onMessage
        self.onClose = onClose
    }
}
