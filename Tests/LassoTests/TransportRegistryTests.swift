import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

@Suite(.serialized) struct TransportRegistryTests {
    struct Drill: Error {}

    @Test func webSocketChannelsComeAndGoWithTheirConnectionAndSurviveARegistryRestart() async throws {
        let loop = try EventLoop()
        let simulated = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
        let alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: simulated), loop: loop)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "\(alpha.url)", ws_url: "\(alpha.webSocketURL)"}
                  - {id: beta, url: "http://127.0.0.1:1/"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let provider = try #require(chain.providers.first)
        let board = ChainStateBoard(chain: chain)
        let routes = ChannelRoutes()
        let names = ProcessNames()
        let http = Channel(providerID: "alpha", transport: .http)
        let ws = Channel(providerID: "alpha", transport: .ws)
        TransportRegistry.publishConfigured(chain: chain, routes: routes)
        #expect(routes.route(chain: "ethereum", channel: http) == .http)
        #expect(routes.route(chain: "ethereum", channel: ws) == nil)

        var connectionSpec = try #require(WSConnection.childSpec(chain: chain, provider: provider, loop: loop, names: names))
        connectionSpec.shutdown = .brutalKill
        let supervisor = try await Supervisor.start(name: "ChainSupervisor(ethereum)", children: [
            connectionSpec,
            TransportRegistry.childSpec(chain: chain, board: board, routes: routes, names: names),
        ], runtime: Runtime())
        func connection() async throws -> ServerRef<WSConnection>? {
            try await supervisor.whichChildren()[0].process?.server(WSConnection.self)
        }
        func wsRoute() -> ServerRef<WSConnection>? {
            guard case .ws(let connection)? = routes.route(chain: "ethereum", channel: ws) else { return nil }
            return connection
        }

        // The connection connected before the registry started; the registry's announce request finds it.
        try #require(await waitFor { wsRoute() != nil })
        #expect(try await wsRoute() == connection())
        #expect(board.snapshot.providers.first?.ws != nil)
        #expect(routes.routes(chain: "ethereum").count == 3, "alpha http, alpha ws, beta http")

        // A crash of the registry loses no route, and its successor keeps serving registrations.
        let registry = try #require(try await supervisor.whichChildren()[1].process)
        registry.stop(.failed(Drill()))
        await registry.waitForExit()
        #expect(wsRoute() != nil && routes.route(chain: "ethereum", channel: http) == .http)
        try #require(try await waitFor { try await supervisor.whichChildren()[1].process.map { $0 != registry && $0.isAlive } ?? false })
        let current = try await supervisor.whichChildren()[1].process?.pid
        #expect(names.server(TransportRegistry.processKey(chain: "ethereum"), as: TransportRegistry.self)?.pid == current)

        // A crashed connection is withdrawn, and its restarted incarnation registers itself.
        let before = try #require(try await connection())
        before.stop(.failed(Drill()))
        try #require(try await waitFor {
            let now = try await connection()
            return now != nil && now != before && wsRoute() == now
        })

        // A connection killed outright says nothing; the registry's monitor withdraws its channel
        // from the routes and the board.
        try await supervisor.terminateChild(connectionSpec.id)
        try #require(await waitFor { wsRoute() == nil && board.snapshot.providers.first?.ws == nil })

        // A normal stop (the chain stopping) withdraws the chain.
        await supervisor.stop()
        #expect(routes.routes(chain: "ethereum").isEmpty)
        alpha.stop()
        loop.stop()
    }

    @Test func aRegistryStartedAfterTheSocketDroppedWithdrawsTheRouteItAdopted() async throws {
        let loop = try EventLoop()
        let alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: SimulatedChain(chainID: 1, blockIntervalMs: 12_000)),
                                                loop: loop)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "\(alpha.url)", ws_url: "\(alpha.webSocketURL)"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let board = ChainStateBoard(chain: chain)
        let routes = ChannelRoutes()
        let names = ProcessNames()
        let runtime = Runtime()
        TransportRegistry.publishConfigured(chain: chain, routes: routes)
        let provider = try #require(chain.providers.first)
        let spec = try #require(WSConnection.childSpec(chain: chain, provider: provider, loop: loop, names: names))
        let supervisor = try await Supervisor.start(name: "ProviderSupervisor(alpha)", children: [spec], runtime: runtime)
        let connection = try #require(names.server(WSConnection.processKey(chain: "ethereum", provider: "alpha"),
                                                   as: WSConnection.self))
        func startRegistry() async throws -> ServerRef<TransportRegistry> {
            try await ServerRef.start(label: "TransportRegistry(ethereum)", runtime: runtime) {
                TransportRegistry(chain: chain, board: board, routes: routes, names: names)
            }
        }
        func wsRouteIsUp() -> Bool {
            routes.route(chain: "ethereum", channel: Channel(providerID: "alpha", transport: .ws)) != nil
        }
        /// Whether the connection itself knows its socket is down: it fails a request at once.
        func connectionIsDown() async -> Bool {
            await withCheckedContinuation { continuation in
                connection.cast(.send(body: Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#.utf8),
                                      timeout: .milliseconds(200)) { reply in
                    continuation.resume(returning: reply == .failure(.connectionClosed))
                })
            }
        }

        let first = try await startRegistry()
        try #require(await waitFor { wsRouteIsUp() && board.snapshot.providers.first?.ws != nil })
        first.stop(.failed(Drill()))
        _ = await first.process.waitForExit()
        #expect(wsRouteIsUp(), "an abnormal exit leaves the routes to the successor")

        // The socket drops while no registry runs, and stays down: its report reaches no one.
        alpha.provider.behavior = .down
        alpha.dropWebSockets()
        try #require(await waitFor { await connectionIsDown() })

        // The successor adopts the route (its connection still runs), then hears it is down.
        let second = try await startRegistry()
        try #require(await waitFor { !wsRouteIsUp() && board.snapshot.providers.first?.ws == nil })
        second.stop()
        _ = await second.process.waitForExit()
        await supervisor.stop()
        alpha.stop()
        loop.stop()
    }
}
