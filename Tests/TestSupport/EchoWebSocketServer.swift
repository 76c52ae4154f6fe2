import Synchronization
import LassoTransport

/// A server whose WebSocket handler echoes every message and records what happens.
public final class EchoWebSocketServer {
    public enum Event: Sendable, Equatable {
        case open(WebSocketConnectionID, String)
        case message(WebSocketConnectionID, WebSocketMessage)
        case close(WebSocketConnectionID, WebSocketCloseCode)
    }

    public let events = Recorder<Event>()
    public let fixture: ServerFixture
    public var server: HTTPServer { fixture.server }
    public var port: Int { fixture.port }

    public init(echo: Bool = true, configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws {
        let events = self.events
        let box = Mutex<HTTPServer?>(nil)
        let handlers = WebSocketServerHandlers(
            onOpen: { id, request in events.record(.open(id, request.path)) },
            onMessage: { id, message in
                events.record(.message(id, message))
                if echo { box.withLock { $0 }?.send(id, message) }
            },
            onClose: { id, code in events.record(.close(id, code)) })
        fixture = try ServerFixture(configure: configure, webSocket: handlers)
        box.withLock { $0 = fixture.server }
    }

    public func openedConnection() -> WebSocketConnectionID? {
        guard case .open(let id, _)? = events.first(where: { if case .open = $0 { return true }; return false }) else { return nil }
        return id
    }

    public func closeCode() -> WebSocketCloseCode? {
        guard case .close(_, let code)? = events.first(where: { if case .close = $0 { return true }; return false }) else { return nil }
        return code
    }
}
