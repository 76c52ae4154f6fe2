import Testing
@testable import Lasso
import Supervision

@Suite struct BenchmarkStoreServerTests {
    @Test func recordsArePublishedToTheRunningChainsBoardOnTheInterval() async throws {
        let clock = ManualClock()
        let runtime = Runtime(clock: clock)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "http://127.0.0.1:1"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let board = ChainStateBoard(chain: chain)
        let directory = ChainDirectory()
        let owner = try await ServerRef.start(label: "chain", runtime: runtime) { ProviderPool(chain: chain, board: board) }
        try directory.register(chain: "ethereum", board: board, process: owner.process)

        let server = try await ServerRef.start(label: "BenchmarkStore", runtime: runtime) {
            BenchmarkStoreServer(directory: directory, chains: { ["ethereum"] }, publishInterval: .seconds(1))
        }
        let key = MetricKey(providerID: "alpha", method: "eth_blockNumber", transport: .http)
        for _ in 0..<10 { server.cast(.record(chain: "ethereum", key: key, latencyMicros: 20_000, succeeded: true)) }
        guard case .leaderboard(let entries) = try await server.call(.leaderboard(chain: "ethereum")) else {
            Issue.record("no leaderboard")
            return
        }
        #expect(entries.first?.providerID == "alpha" && entries.first?.count == 10)
        #expect(board.snapshot.performance(of: key.channel, method: "eth_blockNumber") == .unmeasured)

        clock.advance(by: .seconds(1))
        _ = try await server.call(.memoryBytes(chain: "ethereum"))
        #expect(board.snapshot.performance(of: key.channel, method: "eth_blockNumber") != .unmeasured)

        // A chain that stopped is no longer published to, and nothing fails.
        owner.stop()
        await owner.process.waitForExit()
        #expect(directory.board(for: "ethereum") == nil)
        clock.advance(by: .seconds(1))
        guard case .bytes(let bytes) = try await server.call(.memoryBytes(chain: "ethereum")) else {
            Issue.record("no memory figure")
            return
        }
        #expect(bytes > 0)
    }
}
