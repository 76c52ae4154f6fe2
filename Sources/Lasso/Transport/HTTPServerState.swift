import CLassoShim
import CLibWebSockets
import Foundation

/// The loop-thread side of an ``HTTPServer``: owns the listening vhost and receives the first
/// callbacks of each new connection, which it turns into an ``HTTPServerConnection`` or a
/// ``WebSocketServerConnection`` session.
///
/// Draining (``drain(within:_:)``): the listening socket closes at once, idle keep-alive
/// connections are closed, and every connection with a request in progress closes right after
/// writing its reply (which says `connection: close`). When the last HTTP connection has closed,
/// or the deadline passes, the vhost is destroyed as in ``stopSoon(_:)``, cutting whatever is left.
///
/// Threading: confined to the loop thread (`@unchecked Sendable` so responders and the public
/// facade can carry it to the loop through the command queue).
final class HTTPServerState: LoopSession, @unchecked Sendable {
    let core: LoopCore
    let configuration: HTTPServer.Configuration
    let router: HTTPRouter
    let webSocket: WebSocketServerHandlers?
    let headerPlan: LWSHeaderReader.Plan
    private var listenerID: UInt = 0
    private var vhost: OpaquePointer?
    private var webSockets: [UInt: WebSocketServerConnection] = [:]
    private var httpConnections: [UInt: HTTPServerConnection] = [:]
    /// The listener's kernel sockets, closed first when draining.
    private var listeners: [ListenerDescriptor] = []
    /// Set once a drain begins: replies close their connections, and the last close ends the drain.
    private(set) var isDraining = false
    private var drainDeadline: LoopTimers.ID?
    private var stopWaiters: [() -> Void] = []
    /// A destroy is scheduled: later stops only wait for it (their waiters run with its own).
    private var stopScheduled = false
    private var acceptedConnections = 0
    /// C strings and structs the vhost points at; lws reads them for the vhost's whole life.
    private let cStrings: CStringArena
    private let vhostOptions: UnsafeMutablePointer<lws_protocol_vhost_options>
    private let retryPolicy: UnsafeMutablePointer<lws_retry_bo_t>

    init(core: LoopCore, configuration: HTTPServer.Configuration, router: HTTPRouter, webSocket: WebSocketServerHandlers?) {
        self.core = core
        self.configuration = configuration
        self.router = router
        self.webSocket = webSocket
        headerPlan = LWSHeaderReader.Plan(configuration.capturedHeaders)
        cStrings = CStringArena()
        vhostOptions = .allocate(capacity: 2)
        vhostOptions.initialize(repeating: lws_protocol_vhost_options(), count: 2)
        retryPolicy = .allocate(capacity: 1)
        retryPolicy.initialize(to: lws_retry_bo_t())
    }

    deinit {
        vhostOptions.deinitialize(count: 2)
        vhostOptions.deallocate()
        retryPolicy.deinitialize(count: 1)
        retryPolicy.deallocate()
    }

    /// Connection counters as of now.
    var statistics: HTTPServer.Statistics {
        HTTPServer.Statistics(acceptedHTTPConnections: acceptedConnections, openHTTPConnections: httpConnections.count,
                              openWebSockets: webSockets.count)
    }

    /// Creates the listening vhost. Loop thread.
    func start() -> Result<Int, EventLoopError> {
        guard let context = core.context else { return .failure(.stopped) }
        let address = "\(configuration.host ?? "*"):\(configuration.port)"
        if let tls = configuration.tls {
            for path in [tls.certificatePath, tls.privateKeyPath] where !FileManager.default.isReadableFile(atPath: path) {
                return .failure(.tlsFileUnreadable(path: path))
            }
        }
        listenerID = core.register(self)
        // Marks the WebSocket protocol as the one clients without a subprotocol get.
        vhostOptions[1].name = cStrings.make("default")
        vhostOptions[1].value = cStrings.make("1")
        vhostOptions[0].name = cStrings.make(LoopCore.webSocketProtocolName)
        vhostOptions[0].value = cStrings.make("")
        vhostOptions[0].options = UnsafePointer(vhostOptions + 1)
        retryPolicy.pointee.secs_since_valid_ping = UInt16(clamping: configuration.webSocketPingInterval)
        retryPolicy.pointee.secs_since_valid_hangup = UInt16(clamping: configuration.webSocketIdleTimeout)

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = configuration.host.flatMap { cStrings.make($0) }
        info.protocols = UnsafePointer(core.protocols)
        info.vhost_name = cStrings.make("lasso-listener-\(listenerID)")
        info.options = UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_VALIDATE_UTF8)
        info.keepalive_timeout = Int32(configuration.keepAliveTimeout)
        info.timeout_secs = UInt32(configuration.slowClientTimeout)
        // The whole request head must arrive within this; lws does not extend it per byte.
        info.timeout_secs_ah_idle = UInt32(configuration.slowClientTimeout)
        info.pvo = UnsafePointer(vhostOptions)
        info.retry_and_idle_policy = UnsafePointer(retryPolicy)
        info.user = LoopCore.tag(listenerID)
        if let tls = configuration.tls {
            info.ssl_cert_filepath = cStrings.make(tls.certificatePath)
            info.ssl_private_key_filepath = cStrings.make(tls.privateKeyPath)
        }
        let socketsBefore = ListenerDescriptor.listeningSockets()
        guard let vhost = lws_create_vhost(context, &info) else {
            core.unregister(listenerID)
            return .failure(.listenFailed(address: address))
        }
        self.vhost = vhost
        let port = Int(lws_get_vhost_listen_port(vhost))
        listeners = ListenerDescriptor.created(since: socketsBefore, port: port)
        core.retain(self)
        core.onShutdown(listenerID) { [weak self] in self?.stopNow() }
        return .success(port)
    }

    /// Stops accepting and lets the requests already received finish; `completion` runs on the
    /// loop thread once the vhost is destroyed: when no HTTP connection is left, or after
    /// `seconds` at the latest. WebSocket connections are closed with the vhost.
    func drain(within seconds: Double, _ completion: @escaping () -> Void) {
        stopWaiters.append(completion)
        guard vhost != nil, let context = core.context else {
            stopSoon(nil)
            return
        }
        if isDraining { return }
        isDraining = true
        // From a timer, which lws runs before it polls: closed from inside this command, the
        // listener could still have a readiness event from the current poll round pending, and
        // lws would try to accept on the placeholder.
        core.timers.schedule(in: context, after: 0) { [self] in
            for listener in listeners { _ = listener.close() }
            listeners.removeAll()
        }
        for connection in httpConnections.values { connection.serverDraining() }
        drainDeadline = core.timers.schedule(in: context, after: seconds) { [self] in
            drainDeadline = nil
            stopSoon(nil)
        }
        finishDrainIfDone()
    }

    /// Ends the drain once the last HTTP connection is gone.
    private func finishDrainIfDone() {
        guard isDraining, httpConnections.isEmpty, vhost != nil else { return }
        stopSoon(nil)
    }

    /// Stops listening; `completion` runs on the loop thread once the vhost is destroyed (lws
    /// then closes its connections, which unregister themselves).
    ///
    /// The destroy itself waits for a timer tick: commands run inside lws's
    /// `EVENT_WAIT_CANCELLED` broadcast, which walks the vhost list, and a vhost without
    /// connections is freed on the spot by `lws_vhost_destroy`.
    func stopSoon(_ completion: (() -> Void)?) {
        if let completion { stopWaiters.append(completion) }
        if let drainDeadline {
            core.timers.cancel(drainDeadline)
            self.drainDeadline = nil
        }
        if stopScheduled { return }
        guard let vhost, let context = core.context else {
            finishStop()
            return
        }
        self.vhost = nil
        stopScheduled = true
        listeners.removeAll()  // lws closes them with the vhost
        for connection in webSockets.values { connection.serverStopping() }
        core.timers.schedule(in: context, after: 0) { [self] in
            Self.closeSockets(of: vhost, context: context)
            lws_vhost_destroy(vhost)
            stopScheduled = false
            finishStop()
        }
    }

    /// Closes every socket of `vhost` — the listener and each connection — before it is
    /// destroyed, so that lws frees it at once.
    ///
    /// Left to itself, lws 4.1 defers freeing a vhost that still has sockets, and until then its
    /// listener keeps accepting (answering 404) and it stays first among the vhosts on its port,
    /// where lws sends the requests a later server on the same port accepts. A server restarted on
    /// its port would never serve. lws keeps no list of a vhost's sockets that it exposes, so the
    /// process's open descriptors are searched for them, as lws's own deferred free does.
    private static func closeSockets(of vhost: OpaquePointer, context: OpaquePointer) {
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for descriptor in descriptors.compactMap(Int32.init) {
            guard let wsi = wsi_from_fd(context, descriptor), lws_get_vhost(wsi) == vhost else { continue }
            lws_close_free_wsi(wsi, LWS_CLOSE_STATUS_NOSTATUS, "server stopped")
        }
    }

    /// The loop is stopping (outside any lws callback): destroy right away.
    private func stopNow() {
        if let vhost {
            self.vhost = nil
            listeners.removeAll()
            for connection in webSockets.values { connection.serverStopping() }
            if let context = core.context { Self.closeSockets(of: vhost, context: context) }
            lws_vhost_destroy(vhost)
        }
        finishStop()
    }

    private func finishStop() {
        core.unregister(listenerID)
        core.removeShutdownHook(listenerID)
        let waiters = stopWaiters
        stopWaiters.removeAll()
        waiters.forEach { $0() }
    }

    /// First callbacks of a connection that has no session yet.
    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_HTTP:
            let connection = HTTPServerConnection(server: self, wsi: wsi)
            connection.id = core.register(connection)
            acceptedConnections += 1
            httpConnections[connection.id] = connection
            lws_set_opaque_user_data(wsi, LoopCore.tag(connection.id))
            return connection.handle(wsi: wsi, reason: reason, input: input, length: length)
        case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
            return webSocket == nil ? -1 : 0
        case LWS_CALLBACK_ESTABLISHED:
            return openWebSocket(wsi)
        default:
            return lws_callback_http_dummy(wsi, reason, nil, input, length)
        }
    }

    /// Turns an upgraded connection into a WebSocket session and announces it.
    func openWebSocket(_ wsi: OpaquePointer) -> Int32 {
        guard let webSocket else { return -1 }
        let connection = WebSocketServerConnection(server: self, wsi: wsi)
        connection.id = core.register(connection)
        webSockets[connection.id] = connection
        lws_set_opaque_user_data(wsi, LoopCore.tag(connection.id))
        let request = HTTPRequest(method: .get,
                                  path: LWSHeaderReader.value(wsi, WSI_TOKEN_GET_URI) ?? "/",
                                  query: LWSHeaderReader.query(wsi),
                                  headers: LWSHeaderReader.headers(wsi, plan: headerPlan))
        webSocket.onOpen(WebSocketConnectionID(rawValue: connection.id), request)
        return 0
    }

    /// Called once per WebSocket connection when lws closes it.
    func webSocketClosed(_ connection: WebSocketServerConnection, code: WebSocketCloseCode) {
        webSockets[connection.id] = nil
        core.unregister(connection.id)
        webSocket?.onClose(WebSocketConnectionID(rawValue: connection.id), code)
    }

    /// Called once per HTTP connection when lws closes it.
    func httpClosed(_ connection: HTTPServerConnection) {
        httpConnections[connection.id] = nil
        core.unregister(connection.id)
        finishDrainIfDone()
    }

    /// Hands a handler's response to its connection, if that connection still waits for it.
    func deliver(_ response: HTTPResponse, connection: UInt, serial: UInt64) {
        (core.session(connection) as? HTTPServerConnection)?.deliver(response, serial: serial)
    }

    func send(_ message: WebSocketMessage, to connection: UInt) {
        webSockets[connection]?.send(message)
    }

    func close(_ connection: UInt, code: WebSocketCloseCode) {
        webSockets[connection]?.requestClose(code)
    }
}
