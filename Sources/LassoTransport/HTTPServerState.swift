import Foundation

/// The loop-thread side of an ``HTTPServer``: the listener, every connection it accepted, the
/// deadline sweep, the connection limit and the drain.
///
/// Deadlines are fields on the connections, checked by one repeating sweep, so a request costs
/// no timer operations; a deadline fires at most one sweep interval late.
///
/// Draining (``drain(within:_:)``): the listening socket closes at once, idle keep-alive
/// connections are closed, and every connection with a request in progress closes right after
/// writing its reply (which says `connection: close`). When the last HTTP connection has closed,
/// or the deadline passes, the server stops as ``stop(_:)`` does.
///
/// Threading: confined to the loop thread; every entry checks it (``LoopCore/assertOnLoop(_:_:)``).
/// `@unchecked Sendable` so responders and the public facade can carry it to the loop through
/// the command queue: off the loop they only hold it (and read the immutable `core`, `index`,
/// `configuration`), never touch its state. `init` runs on the caller's thread before the
/// state is handed to the loop.
final class HTTPServerState: @unchecked Sendable {
    let core: LoopCore
    let configuration: HTTPServer.Configuration
    let router: HTTPRouter
    let webSocket: WebSocketServerHandlers?
    let tls: TLSContext?
    /// This state's loop in its server's group: it tags the WebSocket connection ids it hands out.
    let index: Int
    private let id: UInt
    private var listener: Listener?
    private var connections: [UInt: HTTPServerConnection] = [:]
    private var webSockets: [UInt: WebSocketServerConnection] = [:]
    private var sweep: LoopTimers.ID?
    private(set) var isDraining = false
    private var drainDeadline: UInt64?
    private var stopWaiters: [() -> Void] = []
    private var stopped = false
    private var acceptedConnections = 0
    /// What this loop last added to `configuration.connectionCount`.
    private var countedHTTP = 0
    private var countedWebSockets = 0

    init(core: LoopCore, index: Int = 0, configuration: HTTPServer.Configuration, router: HTTPRouter,
         webSocket: WebSocketServerHandlers?, tls: TLSContext?) {
        self.core = core
        self.index = index
        self.configuration = configuration
        self.router = router
        self.webSocket = webSocket
        self.tls = tls
        id = core.uniqueNumber()
    }

    var statistics: HTTPServer.Statistics {
        core.assertOnLoop()
        return HTTPServer.Statistics(acceptedHTTPConnections: acceptedConnections, openHTTPConnections: connections.count,
                              openWebSockets: webSockets.count)
    }

    /// Binds and starts accepting. Loop thread.
    func start(_ address: SocketAddress) -> Result<Int, EventLoopError> {
        core.assertOnLoop()
        guard core.context != nil else { return .failure(.stopped) }
        switch Listener.open(core: core, address: address, reusePort: configuration.reusePort,
                             onAccept: { fd in self.accept(fd) }) {
        case .failure(let error): return .failure(error)
        case .success(let listener):
            self.listener = listener
            core.onShutdown(id) { [weak self] in self?.stop(nil) }
            scheduleSweep()
            return .success(listener.address.port)
        }
    }

    private var sweepInterval: Duration {
        let shortest = [configuration.keepAliveTimeout, configuration.slowClientTimeout, configuration.responseTimeout,
                        configuration.sendTimeout, configuration.lingerTimeout, configuration.webSocketPingInterval]
            .filter { $0 > .zero }.min() ?? .seconds(1)
        return min(.milliseconds(250), max(.milliseconds(10), shortest / 4))
    }

    private func scheduleSweep() {
        guard let context = core.context, !stopped else { return }
        sweep = core.timers.schedule(in: context, after: sweepInterval) { [weak self] in
            guard let self else { return }
            let now = LoopTimers.now()
            for connection in Array(connections.values) { connection.checkDeadline(now) }
            for connection in Array(webSockets.values) { connection.checkDeadline(now) }
            if let drainDeadline, now >= drainDeadline { stop(nil) }
            scheduleSweep()
        }
    }

    private func accept(_ fd: Int32) {
        guard !stopped, !isDraining else {
            Glibc.close(fd)
            return
        }
        let connection = HTTPServerConnection(server: self)
        guard let socket = LoopSocket.adopt(fd: fd, core: core, handler: connection, connecting: false,
                                            tls: tls.map { .server($0) }) else { return }
        connection.attach(socket)
        connections[socket.id] = connection
        acceptedConnections += 1
        connectionsChanged()
    }

    /// Pauses or resumes accepting at the limit, and reports the open connections to
    /// `configuration.connectionCount`: called after every change to them.
    private func connectionsChanged() {
        if let count = configuration.connectionCount {
            count.add(http: connections.count - countedHTTP, webSockets: webSockets.count - countedWebSockets)
            countedHTTP = connections.count
            countedWebSockets = webSockets.count
        }
        if connections.count + webSockets.count >= configuration.maxConnections {
            listener?.pause()
        } else {
            listener?.resume()
        }
    }

    // MARK: Connection events

    func httpClosed(_ connection: HTTPServerConnection, socketID: UInt) {
        core.assertOnLoop()
        connections[socketID] = nil
        connectionsChanged()
        if isDraining, connections.isEmpty { stop(nil) }
    }

    /// An HTTP connection completed a WebSocket handshake on `socket`.
    func upgraded(_ socket: LoopSocket, request: HTTPRequest, leftover: [UInt8]) {
        core.assertOnLoop()
        connections[socket.id] = nil
        guard let webSocket else {
            socket.close()
            connectionsChanged()
            return
        }
        let connection = WebSocketServerConnection(server: self, socket: socket)
        webSockets[socket.id] = connection
        connectionsChanged()
        webSocket.onOpen(connection.connectionID, request)
        connection.start(leftover: leftover)
        if isDraining, connections.isEmpty { stop(nil) }
    }

    func webSocketMessage(_ connection: WebSocketServerConnection, _ message: WebSocketMessage) {
        core.assertOnLoop()
        webSocket?.onMessage(connection.connectionID, message)
    }

    func webSocketClosed(_ connection: WebSocketServerConnection, code: WebSocketCloseCode) {
        core.assertOnLoop()
        webSockets[connection.socketID] = nil
        connectionsChanged()
        webSocket?.onClose(connection.connectionID, code)
    }

    /// Hands a handler's response to its connection, if that connection still waits for it.
    func deliver(_ response: HTTPResponse, connection: UInt, serial: UInt64) {
        core.assertOnLoop()
        connections[connection]?.deliver(response, serial: serial)
    }

    func send(_ message: WebSocketMessage, to connection: WebSocketConnectionID) {
        core.assertOnLoop()
        webSockets[Self.socketID(of: connection)]?.send(message)
    }

    func close(_ connection: WebSocketConnectionID, code: WebSocketCloseCode) {
        core.assertOnLoop()
        webSockets[Self.socketID(of: connection)]?.requestClose(code)
    }

    func abort(_ connection: WebSocketConnectionID) {
        core.assertOnLoop()
        webSockets[Self.socketID(of: connection)]?.abort()
    }

    /// Drops every connection now, without close frames or pending replies; keeps listening.
    func abortConnections() {
        core.assertOnLoop()
        for connection in Array(webSockets.values) { connection.abort() }
        for connection in Array(connections.values) { connection.serverStopping() }
    }

    // MARK: Connection ids across loops

    private static let loopShift: UInt = 48

    /// The id a server hands out for socket `socketID` of this loop.
    func connectionID(socketID: UInt) -> WebSocketConnectionID {
        WebSocketConnectionID(rawValue: UInt(index) << Self.loopShift | socketID)
    }

    static func loopIndex(of connection: WebSocketConnectionID) -> Int { Int(connection.rawValue >> loopShift) }

    static func socketID(of connection: WebSocketConnectionID) -> UInt { connection.rawValue & ((1 << loopShift) - 1) }

    // MARK: Stopping

    /// Stops accepting and lets the requests already received finish; `completion` runs on the
    /// loop thread once the server has stopped: when no HTTP connection is left, or after
    /// `timeout` at the latest.
    func drain(within timeout: Duration, _ completion: @escaping () -> Void) {
        core.assertOnLoop()
        stopWaiters.append(completion)
        if stopped {
            finishStop()
            return
        }
        if isDraining { return }
        isDraining = true
        listener?.close()
        listener = nil
        drainDeadline = LoopTimers.now() &+ LoopTimers.nanoseconds(timeout)
        for connection in Array(connections.values) { connection.serverDraining() }
        if connections.isEmpty { stop(nil) }
    }

    /// Closes the listener and every connection; WebSocket clients get a 1001 close frame.
    func stop(_ completion: (() -> Void)?) {
        core.assertOnLoop()
        if let completion { stopWaiters.append(completion) }
        if !stopped {
            stopped = true
            listener?.close()
            listener = nil
            if let sweep { core.timers.cancel(sweep) }
            sweep = nil
            for connection in Array(webSockets.values) { connection.serverStopping() }
            for connection in Array(connections.values) { connection.serverStopping() }
            core.removeShutdownHook(id)
        }
        finishStop()
    }

    private func finishStop() {
        let waiters = stopWaiters
        stopWaiters.removeAll()
        waiters.forEach { $0() }
    }
}
