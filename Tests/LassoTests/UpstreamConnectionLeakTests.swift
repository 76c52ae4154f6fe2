import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// No upstream connection outlives its owner (issue #9 item 9: three storms of 50 concurrent
/// `restart-chain` under load left 148 upstream connections where there had been 6). Counted
/// where it matters, at the simulated providers' listeners.
@Suite(.serialized) struct UpstreamConnectionLeakTests {
    static let providerIDs = ["alpha", "beta", "gamma"]

    /// Three providers with `ws_url`, lassod in front with a small HTTP pool, and a way to
    /// count what is open at each provider.
    struct Stage {
        let loop: EventLoop
        let client: HTTPClient
        let servers: [SimulatedProviderServer]
        let app: LassoApplication
        static let httpPool = 2

        init() async throws {
            loop = try EventLoop()
            client = HTTPClient(loop: loop)
            let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
            var servers: [SimulatedProviderServer] = []
            var lines: [String] = []
            for (index, id) in UpstreamConnectionLeakTests.providerIDs.enumerated() {
                let server = try SimulatedProviderServer(provider: SimulatedProvider(id: id, chain: chain), loop: loop)
                servers.append(server)
                lines.append("      - {id: \(id), priority: \(index + 1), url: \"\(server.url)\", "
                             + "ws_url: \"\(server.webSocketURL)\"}")
            }
            self.servers = servers
            let yaml = """
                selection: {default_strategy: round_robin}
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                \(lines.joined(separator: "\n"))
                """
            var http = HTTPClient.Configuration()
            http.connectionsPerUpstream = Self.httpPool
            app = try await LassoApplication.start(config: LassoConfig.parse(yaml: yaml, environment: [:]),
                                                   runtime: Runtime(), sink: MemorySink(), port: 0, httpClient: http)
        }

        var open: [(http: Int, webSockets: Int)] { servers.map(\.openConnections) }

        /// Each provider has exactly lassod's one WebSocket and at most its HTTP pool.
        var atBaseline: Bool { open.allSatisfy { $0.webSockets == 1 && $0.http <= Self.httpPool } }

        func shutdown() async {
            await app.stop()
            for server in servers { server.stop() }
            loop.stop()
        }
    }

    @Test func restartStormsUnderLoadLeaveNoUpstreamConnectionBehind() async throws {
        let stage = try await Stage()
        let control = TreeControl(application: stage.app, configPath: "/nonexistent")
        try #require(await waitFor { stage.atBaseline })
        let stop = StopSignal()
        let port = stage.app.port, client = stage.client
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        let body = Array(#"{"jsonrpc":"2.0","id":\#(worker),"method":"eth_chainId"}"#.utf8)
                        while !stop.isStopped {
                            if (try? await client.post("http://127.0.0.1:\(port)/rpc/ethereum", body: body)) != nil {
                                stop.recordSent()
                            }
                        }
                    }
                }
            }
        }
        var restarted = 0
        for _ in 0..<3 {
            restarted += await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 { group.addTask { (try? await control.restartChain("ethereum")) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        stop.stop()
        await load.value
        #expect(restarted == 150, "every restart in the storms went through")
        #expect(stop.sent > 0, "the storms ran under load")
        // Sockets being closed finish their close handshakes; the deadline only bounds that.
        let settled = await waitFor(within: .seconds(30)) { stage.atBaseline }
        #expect(settled, "open at the providers (http, ws): \(stage.open)")
        let tree = await control.tree()
        #expect(tree.allNodes.filter { $0.name.hasPrefix("WSConnection") }.count == 3)
        await stage.shutdown()
    }

    @Test func aConnectionProcessKilledWithoutTerminateStillClosesItsSocket() async throws {
        let loop = try EventLoop()
        let upstream = try SimulatedProviderServer(
            provider: SimulatedProvider(id: "alpha", chain: SimulatedChain(chainID: 1, blockIntervalMs: 12_000)), loop: loop)
        let url = try #require(UpstreamURL(upstream.webSocketURL))
        let board = try ChainStateBoard.alone(provider: "alpha", webSocketURL: upstream.webSocketURL)
        // A supervisor that kills its child outright (no `terminate`), as a shutdown timeout does.
        let spec = ChildSpec(id: "WSConnection(alpha)", shutdown: .brutalKill) { runtime in
            try await ServerRef.start(label: "WSConnection(alpha)", runtime: runtime) {
                WSConnection(chain: "ethereum", provider: "alpha", url: url, loop: loop, board: board, names: ProcessNames(),
                         listener: SubscriptionPoolListener(chain: "ethereum", names: ProcessNames()))
            }.process
        }
        let supervisor = try await Supervisor.start(name: "drill", strategy: .oneForOne, children: [spec],
                                                    runtime: Runtime())
        try #require(await waitFor { upstream.openConnections.webSockets == 1 })
        try await supervisor.terminateChild("WSConnection(alpha)")
        try #require(await waitFor { upstream.openConnections.webSockets == 0 })
        await supervisor.stop()
        upstream.stop()
        loop.stop()
    }
}
