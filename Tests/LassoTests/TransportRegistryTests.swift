import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

@Suite(.serialized) struct TransportRegistryTests {
    struct Drill: Error {}

    /// The connection the board routes `provider`'s `ws` channel through, if it is up.
    static func webSocketRoute(_ board: ChainStateBoard, _ provider: String) -> ServerRef<WSConnection>? {
        let state = board.current
        guard let slot = state.slot(of: provider, transport: .ws),
              case .webSocket(let connection)? = state.links[slot].route else { return nil }
        return connection as? ServerRef<WSConnection>
    }

    /// Whether the board routes `provider`'s HTTP channel to its URL.
    static func hasHTTPRoute(_ board: ChainStateBoard, _ provider: String) -> Bool {
        let state = board.current
        guard let slot = state.slot(of: provider, transport: .http), case .http? = state.links[slot].route else { return false }
        return true
    }

    /// One provider, alpha, simulated with a WebSocket, and its `WSConnection` under a supervisor
    /// of its own (which kills it outright, skipping `terminate`, if `killed`); no registry yet.
    struct AlphaAlone {
        let loop: EventLoop
        let alpha: SimulatedProviderServer
        let chain: ChainConfig
        let board: ChainStateBoard
        let names = ProcessNames()
        let runtime = Runtime()
        let spec: ChildSpec
        let supervisor: Supervisor

        init(killed: Bool = false) async throws {
            loop = try EventLoop()
            alpha = try SimulatedProviderServer(
                provider: SimulatedProvider(id: "alpha", chain: SimulatedChain(chainID: 1, blockIntervalMs: 12_000)), loop: loop)
            let config = try LassoConfig.parse(yaml: """
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                      - {id: alpha, url: "\(alpha.url)", ws_url: "\(alpha.webSocketURL)"}
                """, environment: [:])
            chain = try #require(config.chain(named: "ethereum"))
            board = ChainStateBoard(chain: chain)
            let provider = try #require(chain.providers.first)
            var spec = try #require(WSConnection.childSpec(chain: chain, provider: provider, loop: loop, board: board,
                                                           names: names, listener: SubscriptionPoolListener(chain: "ethereum", names: names)))
            if killed { spec.shutdown = .brutalKill }
            self.spec = spec
            supervisor = try await Supervisor.start(name: "ProviderSupervisor(alpha)", children: [spec], runtime: runtime)
        }

        func startRegistry() async throws -> ServerRef<TransportRegistry> {
            let chain = chain, board = board
            return try await ServerRef.start(label: "TransportRegistry(ethereum)", runtime: runtime) {
                TransportRegistry(chain: chain, board: board)
            }
        }

        func stop() async {
            await supervisor.stop()
            alpha.stop()
            loop.stop()
        }
    }

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
        let names = ProcessNames()
        func wsRoute() -> ServerRef<WSConnection>? { Self.webSocketRoute(board, "alpha") }
        // HTTP channels are routed from the start, to the URL parsed once; no WebSocket yet.
        #expect(Self.hasHTTPRoute(board, "alpha") && Self.hasHTTPRoute(board, "beta"))
        #expect(wsRoute() == nil)

        var connectionSpec = try #require(WSConnection.childSpec(chain: chain, provider: provider, loop: loop, board: board,
                                                                 names: names, listener: SubscriptionPoolListener(chain: "ethereum", names: names)))
        connectionSpec.shutdown = .brutalKill
        let supervisor = try await Supervisor.start(name: "ChainSupervisor(ethereum)", children: [
            connectionSpec,
            TransportRegistry.childSpec(chain: chain, board: board),
        ], runtime: Runtime())
        let directory = ChainDirectory()
        try directory.register(chain: "ethereum", board: board, process: supervisor.process)
        func connection() async throws -> ServerRef<WSConnection>? {
            try await supervisor.whichChildren()[0].process?.server(WSConnection.self)
        }

        // The connection publishes itself when it connects, whether or not a registry runs yet.
        try #require(await waitFor { wsRoute() != nil })
        #expect(try await wsRoute() == connection())
        #expect(board.snapshot.providers.first?.ws != nil)
        #expect(board.current.links.filter { $0.route != nil }.count == 3, "alpha http, alpha ws, beta http")

        // A crash of the registry loses no route, and its successor keeps watching.
        let registry = try #require(try await supervisor.whichChildren()[1].process)
        registry.stop(.failed(Drill()))
        await registry.waitForExit()
        #expect(wsRoute() != nil && Self.hasHTTPRoute(board, "alpha"))
        try #require(try await waitFor { try await supervisor.whichChildren()[1].process.map { $0 != registry && $0.isAlive } ?? false })

        // A crashed connection is withdrawn, and its restarted incarnation registers itself.
        let before = try #require(try await connection())
        before.stop(.failed(Drill()))
        try #require(try await waitFor {
            let now = try await connection()
            return now != nil && now != before && wsRoute() == now
        })

        // A connection killed outright says nothing; the registry's monitor withdraws its channel
        // from the board, route and candidate alike.
        try await supervisor.terminateChild(connectionSpec.id)
        try #require(await waitFor { wsRoute() == nil && board.snapshot.providers.first?.ws == nil })

        // A normal stop (the chain stopping) withdraws the chain: its board, routes and all, is
        // no longer found.
        await supervisor.stop()
        #expect(directory.board(for: "ethereum") == nil)
        alpha.stop()
        loop.stop()
    }

    @Test func aSocketThatDropsWhileNoRegistryRunsIsWithdrawnAllTheSame() async throws {
        let stage = try await AlphaAlone()
        let board = stage.board
        let connection = try #require(stage.names.server(WSConnection.processKey(chain: "ethereum", provider: "alpha"),
                                                         as: WSConnection.self))
        func startRegistry() async throws -> ServerRef<TransportRegistry> { try await stage.startRegistry() }
        func wsRouteIsUp() -> Bool { Self.webSocketRoute(board, "alpha") != nil }
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
        stage.alpha.provider.behavior = .down
        stage.alpha.dropWebSockets()
        try #require(await waitFor { await connectionIsDown() })

        // The connection withdrew its own channel; the successor finds nothing to restore.
        let second = try await startRegistry()
        try #require(await waitFor { !wsRouteIsUp() && board.snapshot.providers.first?.ws == nil })
        second.stop()
        _ = await second.process.waitForExit()
        await stage.stop()
    }

    @Test func aConnectionKilledWhileNoRegistryRunsIsWithdrawnByTheNextRegistry() async throws {
        let stage = try await AlphaAlone(killed: true)
        try #require(await waitFor { Self.webSocketRoute(stage.board, "alpha") != nil })

        // Killed with no registry watching: nothing withdraws the channel yet.
        try await stage.supervisor.terminateChild(stage.spec.id)
        #expect(Self.webSocketRoute(stage.board, "alpha") != nil)

        // The next registry adopts the board; its monitor of the dead connection fires at once.
        let registry = try await stage.startRegistry()
        try #require(await waitFor { Self.webSocketRoute(stage.board, "alpha") == nil && stage.board.snapshot.providers.first?.ws == nil })
        registry.stop()
        _ = await registry.process.waitForExit()
        await stage.stop()
    }
}
