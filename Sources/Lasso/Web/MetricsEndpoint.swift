import LassoTransport

/// `GET /metrics`: Prometheus text format — request counts and latency histograms per
/// chain/provider/method/transport, errors by category, breaker states, provider availability
/// and lag. Labels name providers by id only.
public final class MetricsEndpoint: Sendable {
    let configs: CurrentConfig
    let directory: ChainDirectory
    let counters: RequestCounters
    let subscriptions: SubscriptionTables?
    let connections: ConnectionCount?
    /// `server.max_connections` as the listener started with it (server settings need a restart).
    let connectionLimit: Int

    /// - Parameter connections: the listener's count of open client connections, if known.
    public init(configs: CurrentConfig, directory: ChainDirectory, counters: RequestCounters,
                subscriptions: SubscriptionTables? = nil, connections: ConnectionCount? = nil) {
        self.configs = configs
        self.directory = directory
        self.counters = counters
        self.subscriptions = subscriptions
        self.connections = connections
        connectionLimit = configs.config.server.maxConnections
    }

    public func handle() -> HTTPResponse {
        let (requests, errors) = counters.snapshot()
        var snapshot = PrometheusSnapshot(requests: requests, errors: errors)
        snapshot.region = configs.config.server.region
        if let connections {
            snapshot.clientConnections = .init(http: connections.http, webSockets: connections.webSockets,
                                               limit: connectionLimit)
        }
        for chain in configs.config.chains {
            guard let board = directory.board(for: chain.key) else { continue }
            snapshot.addProviderState(chain: chain.key, from: board.snapshot)
        }
        for (_, table) in (subscriptions?.all ?? [:]).sorted(by: { $0.key < $1.key }) {
            snapshot.subscriptions.append(contentsOf: table.series())
        }
        return HTTPResponse(status: 200, contentType: PrometheusExposition.contentType,
                            body: Array(PrometheusExposition.render(snapshot).utf8))
    }
}
