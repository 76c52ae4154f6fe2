import Synchronization
import LassoTransport

/// The sending half of lassod's client WebSockets: what the subscription processes use to reach
/// a client connection, whichever listener accepted it.
///
/// The `Endpoint` attaches its listener while it runs and detaches it when it stops; sends to a
/// connection that is gone, or while no listener is attached, are dropped. Sending never
/// blocks: the message joins the connection's bounded queue on the event loop, and a client
/// whose queue overflows is closed with 1008 by the transport, so one slow client never holds
/// up a fan-out to the others.
public final class ClientSockets: Sendable {
    private let server = Mutex<HTTPServer?>(nil)

    public init() {}

    /// Attaches the listener that accepted the client connections (nil detaches it).
    public func serve(_ listener: HTTPServer?) {
        server.withLock { $0 = listener }
    }

    /// Queues a text message for `connection`.
    public func send(_ connection: WebSocketConnectionID, _ bytes: [UInt8]) {
        server.withLock { $0 }?.send(connection, WebSocketMessage(isBinary: false, bytes: bytes))
    }

    /// Queues `template` for each target, with the bytes at `range` replaced by the target's
    /// own (see `HTTPServer.broadcast`).
    public func broadcast(_ template: [UInt8], replacing range: Range<Int>,
                          for targets: [(connection: WebSocketConnectionID, replacement: [UInt8])]) {
        server.withLock { $0 }?.broadcast(template, replacing: range, for: targets)
    }

    /// Closes `connection` after what is already queued.
    public func close(_ connection: WebSocketConnectionID, code: WebSocketCloseCode) {
        server.withLock { $0 }?.close(connection, code: code)
    }
}
