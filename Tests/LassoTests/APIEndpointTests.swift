import Foundation
import Testing
import TestSupport
@testable import Lasso
import LassoTransport
import Supervision

@Suite struct APIEndpointTests {
    @Test func healthChainsAndStatusReflectTheRunningProcesses() async throws {
        let clock = ManualClock()
        let runtime = Runtime(clock: clock)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "https://alpha.example/v3/SECRETKEY", ws_url: "wss://alpha.example/ws/SECRETKEY"}
                  - {id: beta, url: "https://beta.example"}
              base:
                chain_id: 8453
                providers:
                  - {id: base_one, url: "https://base.example"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let board = ChainStateBoard(chain: chain)
        let directory = ChainDirectory()
        let names = ProcessNames()
        let breakers = BreakerDirectory()
        let supervisor = try await Supervisor.start(name: "ChainSupervisor(ethereum)", children: [
            ProviderPool.childSpec(chain: chain, board: board, names: names),
            CircuitBreaker.childSpec(chain: "ethereum", provider: "alpha", transport: .ws, policy: CircuitBreakerPolicy(),
                                     board: board, directory: breakers),
        ], runtime: runtime)
        try directory.register(chain: "ethereum", board: board, process: supervisor.process)
        board.publish(webSocketConnected: true, provider: "alpha")
        let pool = try #require(names.providerPool(chain: "ethereum"))
        pool.cast(.probeSucceeded(provider: "alpha", head: 200, atMs: 1))
        pool.cast(.probeSucceeded(provider: "beta", head: 190, atMs: 1))
        let wsBreaker = try #require(breakers.breaker(chain: "ethereum", channel: Channel(providerID: "alpha", transport: .ws)))
        _ = try await wsBreaker.call(.override(.open))

        let api = APIEndpoint(configs: CurrentConfig(config), directory: directory, names: names, clock: clock)
        func get(_ path: String) async throws -> (Int, String) {
            let reply = try #require(await api.handle(HTTPRequest(method: .get, path: path)))
            return (reply.status, String(decoding: reply.body, as: UTF8.self))
        }

        let health = try await get("/api/health")
        #expect(health.0 == 200)
        #expect(health.1 == #"{"chains_configured":2,"chains_running":1,"region":"local","status":"ok","version":"\#(LassoVersion.string)"}"#)

        let chains = try await get("/api/chains")
        #expect(chains.1.contains(#"{"chain":"ethereum","chain_id":1,"name":"ethereum","providers":["alpha","beta"],"running":true}"#))
        #expect(chains.1.contains(#""chain":"base","chain_id":8453"#) && chains.1.contains(#""running":false"#))

        // The probes reach the pool as casts: read the status once the pool has published them.
        let published = await waitFor { () async -> ChainStatus? in
            guard let status = try? await get("/api/chains/ethereum/status"),
                  let decoded = try? JSONDecoder().decode(ChainStatus.self, from: Data(status.1.utf8)),
                  decoded.bestHead == 200 else { return nil }
            return decoded
        }
        let decoded = try #require(published, "the pool publishes alpha's head 200")
        #expect(decoded.running && decoded.bestHead == 200)
        #expect(decoded.providers.map(\.id) == ["alpha", "beta"])
        #expect(decoded.providers[0].breakers == ["http": "closed", "ws": "forced_open"])
        #expect(decoded.providers[1].breakers == ["http": "closed"])
        #expect(decoded.providers[1].lag == 10 && decoded.providers[1].availability == .lagging)
        let status = try await get("/api/chains/ethereum/status")
        #expect(!status.1.contains("SECRETKEY") && !status.1.contains("example"))
        // A provider row shows the pool's health and the breakers; the pool's probe instant (on
        // this process's monotonic clock) stays inside.
        let object = try JSONSerialization.jsonObject(with: Data(status.1.utf8)) as? [String: Any]
        let alpha = try #require((object?["providers"] as? [[String: Any]])?.first)
        #expect(Set(alpha.keys) == ["id", "availability", "head", "lag", "consecutive_failures", "breakers", "cooling_down"])

        let byID = try await get("/api/chains/8453/status")
        #expect(byID.1.contains(#""running":false"#))
        let unknown = try await get("/api/chains/solana/status")
        #expect(unknown.0 == 404 && unknown.1 == #"{"error":"unknown chain: solana"}"#)
        #expect(await api.handle(HTTPRequest(method: .get, path: "/metrics")) == nil)
    }
}
