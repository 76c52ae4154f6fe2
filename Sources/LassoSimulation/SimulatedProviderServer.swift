import Dispatch
import Lasso
import LassoTransport
import Supervision
import Synchronization

/// Serves one `SimulatedProvider` over HTTP and WebSocket (same port) on lassod's own
/// transport: the upstream that tests, `lassod demo` and the battle framework point lassod at.
///
/// Every POST, whatever its path, is a JSON-RPC body for the provider, and so is every
/// WebSocket message. Its verdict is carried out: a response after its delay; `noReply` leaves
/// the request hanging until the client gives up; a closed connection (`down`, `killed`) is a
/// 503 with the connection closed over HTTP (an accepted connection cannot be refused), a
/// closed socket over WebSocket.
///
/// Subscriptions are pushed: whenever the chain grows a block, every open WebSocket gets the
/// `eth_subscription` events its subscriptions are owed (`SimulatedSubscriptions.tick`) on the
/// provider's current branch (`SimulatedProvider.fork`), until the server stops.
///
/// A behavior switch reaches the connections already open: `killed` drops every one of them at
/// once (no WebSocket close frame, replies still waiting out a latency never sent, as when the
/// process dies), `down` closes the WebSockets with 1001. A WebSocket opened while the provider
/// is killed is dropped the same way, one opened while it is down gets 1001.
public final class SimulatedProviderServer: Sendable {
    public let provider: SimulatedProvider
    let server: HTTPServer
    private let sockets: SocketState
    private let clock: any RuntimeClock
    private let running = Atomic<Bool>(true)
    private let pushObserver = Mutex<(@Sendable (_ blocks: [UInt64]) -> Void)?>(nil)

    /// The port bound (`port: 0` picks a free one).
    public var port: Int { server.port }

    public init(provider: SimulatedProvider, loop: EventLoop, host: String = "127.0.0.1", port: Int = 0,
                clock: any RuntimeClock = SystemClock.shared) throws {
        self.provider = provider
        var router = HTTPRouter()
        router.add(.post, prefix: "/") { request, responder in
            let now = clock.now()
            switch provider.handleHTTP(body: request.body, now: now) {
            case .respond(let reply):
                let response = HTTPResponse(status: reply.status,
                                            headers: reply.headers.map { (name: $0.key, value: $0.value) },
                                            body: reply.body)
                if reply.delayMs == 0 {
                    responder.respond(response)
                } else {
                    loop.execute(after: .milliseconds(reply.delayMs)) { responder.respond(response) }
                }
            case .closeConnection:
                responder.respond(HTTPResponse(status: 503, body: [], closeConnection: true))
            case .noReply:
                break
            }
        }
        let sockets = SocketState()
        let webSocket = WebSocketServerHandlers(
            onOpen: { connection, _ in
                if let subscriptions = provider.acceptWebSocket() {
                    sockets.open(connection, subscriptions)
                } else if case .closeConnection(graceful: false) = provider.behavior.decide(transport: .ws) {
                    sockets.server?.abort(connection)
                } else {
                    sockets.server?.close(connection, code: .goingAway)
                }
            },
            onMessage: { connection, message in
                let now = clock.now()
                let reply = sockets.handle(connection) { subscriptions in
                    provider.handleWebSocket(message: message.bytes, now: now, subscriptions: &subscriptions)
                }
                switch reply {
                case .respond(let response) where !response.body.isEmpty:
                    let text = String(decoding: response.body, as: UTF8.self)
                    if response.delayMs == 0 {
                        sockets.server?.send(connection, text)
                    } else {
                        loop.execute(after: .milliseconds(response.delayMs)) { sockets.server?.send(connection, text) }
                    }
                case .closeConnection(let graceful):
                    if graceful { sockets.server?.close(connection, code: .goingAway) } else { sockets.server?.abort(connection) }
                case .respond, .noReply, nil:
                    break
                }
            },
            onClose: { connection, _ in sockets.close(connection) })
        server = try HTTPServer(loop: loop, configuration: .init(host: host, port: port), router: router, webSocket: webSocket)
        sockets.server = server
        self.sockets = sockets
        self.clock = clock
        provider.observeBehavior { [weak self] behavior in self?.apply(behavior) }
        scheduleTick()
    }

    /// Carries a behavior switch over to the connections already open.
    private func apply(_ behavior: SimulatedProviderBehavior) {
        guard running.load(ordering: .relaxed), behavior.closesOpenConnections else { return }
        if case .closeConnection(graceful: false) = behavior.decide(transport: .ws) {
            server.abortConnections()
        } else {
            dropWebSockets()
        }
    }

    /// Calls `observer` right after each tick has handed its `eth_subscription` frames to the
    /// transport, with the blocks they carry (ascending; not called when nothing was pushed):
    /// when the upstream frame leaves, the origin of `lasso-bench subscriptions`' fan-out
    /// latency. One observer at a time; nil stops observing.
    public func observePushes(_ observer: (@Sendable (_ blocks: [UInt64]) -> Void)?) {
        pushObserver.withLock { $0 = observer }
    }

    /// Live `eth_subscribe` subscriptions over all open WebSockets.
    public var subscriptionCount: Int { sockets.subscriptionCount }

    /// The connections open at this provider now, HTTP and WebSocket, as its listener counts
    /// them: what a test compares before and after lassod restarts chains, to prove that no
    /// upstream connection outlives its owner.
    public var openConnections: (http: Int, webSockets: Int) {
        let statistics = server.statistics()
        return (statistics.openHTTPConnections, statistics.openWebSockets)
    }

    /// Pushes the events owed at the next block, then schedules the one after.
    private func scheduleTick() {
        let now = clock.now()
        let delay = max(1, provider.chain.nextBlockInstant(after: now).milliseconds(since: now))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(clamping: delay))) { [weak self] in
            guard let self, self.running.load(ordering: .relaxed) else { return }
            let now = self.clock.now()
            var pushed: Set<UInt64> = []
            for (connection, notifications) in self.sockets.tick({ self.provider.tick(&$0, now: now) }) {
                for notification in notifications {
                    self.server.send(connection, WebSocketMessage(isBinary: false, bytes: notification.body))
                    pushed.insert(notification.blockNumber)
                }
            }
            if !pushed.isEmpty, let observer = self.pushObserver.withLock({ $0 }) { observer(pushed.sorted()) }
            self.scheduleTick()
        }
    }

    /// `ws://host:port/` for the config.
    public var webSocketURL: String { "ws://127.0.0.1:\(port)/" }

    /// Each open WebSocket's subscription state, and the server to answer through (set once
    /// the server exists; messages cannot arrive before).
    private final class SocketState: Sendable {
        private let connections = Mutex<[WebSocketConnectionID: SimulatedSubscriptions]>([:])
        private let serverSlot = Mutex<HTTPServer?>(nil)

        var server: HTTPServer? {
            get { serverSlot.withLock { $0 } }
            set { serverSlot.withLock { $0 = newValue } }
        }

        func open(_ connection: WebSocketConnectionID, _ subscriptions: SimulatedSubscriptions) {
            connections.withLock { $0[connection] = subscriptions }
        }

        func handle(_ connection: WebSocketConnectionID,
                    _ body: (inout SimulatedSubscriptions) -> SimulatedReply) -> SimulatedReply? {
            connections.withLock { connections in
                guard var subscriptions = connections[connection] else { return nil }
                let reply = body(&subscriptions)
                connections[connection] = subscriptions
                return reply
            }
        }

        func close(_ connection: WebSocketConnectionID) {
            _ = connections.withLock { $0.removeValue(forKey: connection) }
        }

        /// The notifications each connection is owed now.
        func tick(_ body: (inout SimulatedSubscriptions) -> [SimulatedNotification])
            -> [(WebSocketConnectionID, [SimulatedNotification])] {
            connections.withLock { connections in
                var due: [(WebSocketConnectionID, [SimulatedNotification])] = []
                for connection in connections.keys {
                    guard var subscriptions = connections[connection], !subscriptions.ids.isEmpty else { continue }
                    let notifications = body(&subscriptions)
                    connections[connection] = subscriptions
                    if !notifications.isEmpty { due.append((connection, notifications)) }
                }
                return due
            }
        }

        var open: [WebSocketConnectionID] {
            connections.withLock { Array($0.keys) }
        }

        var subscriptionCount: Int {
            connections.withLock { $0.values.reduce(0) { $0 + $1.ids.count } }
        }
    }

    /// `http://host:port/` for the config.
    public var url: String { "http://127.0.0.1:\(port)/" }

    /// Closes every open WebSocket (1001), as a provider restarting would; new ones are still
    /// accepted while the behavior accepts connections.
    public func dropWebSockets() {
        for connection in sockets.open { server.close(connection, code: .goingAway) }
    }

    /// Stops serving: open WebSockets are closed (1001), as a provider going down would.
    public func stop() {
        running.store(false, ordering: .relaxed)
        dropWebSockets()
        server.stop()
    }
}
