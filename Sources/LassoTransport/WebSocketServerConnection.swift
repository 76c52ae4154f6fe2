/// One accepted WebSocket connection of an ``HTTPServer``: its channel, and the server's idle
/// policy (ping after `webSocketPingInterval` of silence, hang up after `webSocketIdleTimeout`).
///
/// Threading: loop thread only.
final class WebSocketServerConnection {
    let socketID: UInt
    let connectionID: WebSocketConnectionID
    private let server: HTTPServerState
    private var channel: WebSocketChannel?

    init(server: HTTPServerState, socket: LoopSocket) {
        server.core.assertOnLoop()
        self.server = server
        socketID = socket.id
        connectionID = server.connectionID(socketID: socket.id)
        let limits = WebSocketChannel.Limits(maxMessageBytes: server.configuration.webSocketMaxMessageBytes,
                                             maxQueuedBytes: server.configuration.webSocketMaxQueuedBytes)
        channel = WebSocketChannel(socket: socket, role: .server, limits: limits,
                                   onMessage: { message in self.server.webSocketMessage(self, message) },
                                   onClosed: { ending in
                                       self.channel = nil
                                       self.server.webSocketClosed(self, code: ending.code)
                                   })
    }

    func start(leftover: [UInt8]) {
        server.core.assertOnLoop()
        channel?.start(leftover: leftover)
    }

    func send(_ message: WebSocketMessage) {
        server.core.assertOnLoop()
        channel?.send(message)
    }

    func requestClose(_ code: WebSocketCloseCode) {
        server.core.assertOnLoop()
        channel?.close(code)
    }

    /// Drops the connection without a close frame.
    func abort() {
        server.core.assertOnLoop()
        channel?.drop()
    }

    /// Called by the server's sweep.
    func checkDeadline(_ now: UInt64) {
        server.core.assertOnLoop()
        guard let channel else { return }
        channel.checkCloseDeadline(now)
        let silent = now &- channel.lastFrame
        if silent >= LoopTimers.nanoseconds(server.configuration.webSocketIdleTimeout) {
            channel.drop()
        } else if silent >= LoopTimers.nanoseconds(server.configuration.webSocketPingInterval) {
            channel.ping()
        }
    }

    /// The server is stopping: a 1001 close frame if it can leave now, then the socket closes.
    func serverStopping() {
        server.core.assertOnLoop()
        guard let channel else { return }
        channel.close(.goingAway)
        channel.drop()
    }
}
