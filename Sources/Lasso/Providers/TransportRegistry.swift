import Supervision

/// `TransportRegistry`: one chain's channel discovery — which channels (provider × http|ws)
/// exist and how to reach each.
///
/// HTTP channels exist for every configured provider. A WebSocket channel exists while its
/// provider's `WSConnection` is connected: the connection registers it here when it connects
/// and withdraws it when it drops, and this process monitors it, so a connection that dies
/// without a word is withdrawn too. Every change replaces the chain's entry in
/// `ChannelRoutes` (what `ChannelSender` reads per request, with no message) and marks the
/// `ws` channel as a candidate or not on the chain's `ChainStateBoard`.
///
/// A restart loses nothing: routes are kept in `ChannelRoutes`, and a new incarnation adopts
/// the WebSocket routes whose connection still runs, then introduces itself to every
/// connection, which answers with its state (covering connections that connected while no
/// registry ran) and reports to it from then on. A normal stop
/// (the chain stopping) withdraws the chain's routes; an abnormal one leaves them for the
/// successor.
public struct TransportRegistry: GenServer {
    public enum Cast: Sendable {
        /// `connection` is up: its provider's `ws` channel is reachable through it.
        case connected(provider: String, connection: ServerRef<WSConnection>)
        /// `connection` is down: its provider's `ws` channel is gone.
        case disconnected(provider: String, connection: ServerRef<WSConnection>)
    }

    private struct WebSocket {
        let connection: ServerRef<WSConnection>
        let monitor: MonitorID
    }

    let chain: ChainConfig
    let board: ChainStateBoard
    let routes: ChannelRoutes
    let names: ProcessNames
    private var webSockets: [String: WebSocket] = [:]

    public init(chain: ChainConfig, board: ChainStateBoard, routes: ChannelRoutes, names: ProcessNames) {
        self.chain = chain
        self.board = board
        self.routes = routes
        self.names = names
    }

    /// The registered name, for `ProcessNames`.
    public static func processKey(chain: String) -> String {
        ProcessNames.chainKey(chain, "TransportRegistry")
    }

    /// The child spec; each incarnation registers in `names` under `processKey(chain:)`.
    public static func childSpec(chain: ChainConfig, board: ChainStateBoard, routes: ChannelRoutes,
                                 names: ProcessNames) -> ChildSpec {
        ChildSpec(id: "TransportRegistry", name: names.name(processKey(chain: chain.key))) { runtime in
            try await ServerRef.start(label: "TransportRegistry(\(chain.key))", runtime: runtime) {
                TransportRegistry(chain: chain, board: board, routes: routes, names: names)
            }.process
        }
    }

    /// Publishes `chain`'s HTTP channels before its processes start, so the health monitor's
    /// first probes, which may run before this process does, find them.
    public static func publishConfigured(chain: ChainConfig, routes: ChannelRoutes) {
        routes.publish(chain: chain.key, routes: httpRoutes(chain))
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        for (channel, route) in routes.routes(chain: chain.key) {
            guard case .ws(let connection) = route else { continue }
            guard connection.process.isAlive else {
                board.publish(webSocketConnected: false, provider: channel.providerID)
                continue
            }
            webSockets[channel.providerID] = WebSocket(connection: connection, monitor: context.monitor(connection.process))
        }
        publish()
        for provider in chain.providers where provider.wsURL != nil {
            names.server(WSConnection.processKey(chain: chain.key, provider: provider.id), as: WSConnection.self)?
                .cast(.announce(to: context.ref))
        }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .connected(let provider, let connection):
            guard chain.providers.contains(where: { $0.id == provider }) else { return }
            if let known = webSockets[provider] {
                guard known.connection != connection else { return }
                known.connection.process.demonitor(known.monitor)
            }
            webSockets[provider] = WebSocket(connection: connection, monitor: context.monitor(connection.process))
            publish()
            board.publish(webSocketConnected: true, provider: provider)
        case .disconnected(let provider, let connection):
            guard let known = webSockets[provider], known.connection == connection else { return }
            known.connection.process.demonitor(known.monitor)
            withdraw(provider)
        }
    }

    public mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {
        guard let provider = webSockets.first(where: { $0.value.monitor == down.monitor })?.key else { return }
        withdraw(provider)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        for webSocket in webSockets.values { webSocket.connection.process.demonitor(webSocket.monitor) }
        guard reason.isNormal else { return }
        routes.withdraw(chain: chain.key)
        for provider in webSockets.keys { board.publish(webSocketConnected: false, provider: provider) }
    }

    private mutating func withdraw(_ provider: String) {
        webSockets[provider] = nil
        publish()
        board.publish(webSocketConnected: false, provider: provider)
    }

    private func publish() {
        var table = Self.httpRoutes(chain)
        for (provider, webSocket) in webSockets {
            table[Channel(providerID: provider, transport: .ws)] = .ws(webSocket.connection)
        }
        routes.publish(chain: chain.key, routes: table)
    }

    private static func httpRoutes(_ chain: ChainConfig) -> [Channel: ChannelRoutes.Route] {
        Dictionary(uniqueKeysWithValues: chain.providers.map { (Channel(providerID: $0.id, transport: .http), .http) })
    }
}
