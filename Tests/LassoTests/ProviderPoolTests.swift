import Testing
@testable import Lasso
import Supervision

@Suite struct ProviderPoolTests {
    private func makePool() async throws -> (ServerRef<ProviderPool>, ChainStateBoard) {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                monitoring: {lag_threshold_blocks: 3}
                providers:
                  - {id: alpha, url: "http://127.0.0.1:1/SECRETKEY"}
                  - {id: beta, url: "http://127.0.0.1:2"}
                  - {id: gamma, url: "http://127.0.0.1:3"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let board = ChainStateBoard(chain: chain)
        let pool = try await ServerRef.start(label: "pool", runtime: Runtime(clock: ManualClock())) {
            ProviderPool(chain: chain, board: board)
        }
        return (pool, board)
    }

    @Test func availabilityFollowsProbesAndLag() async throws {
        let (pool, board) = try await makePool()
        #expect(try await pool.call(.status).map(\.availability) == [.unknown, .unknown, .unknown])
        pool.cast(.probeSucceeded(provider: "alpha", head: 100, atMs: 1))
        pool.cast(.probeSucceeded(provider: "beta", head: 96, atMs: 1))
        pool.cast(.probeFailed(provider: "gamma", verdict: .providerFault(.timeout), atMs: 1))
        // gamma never answered: down at once, not merely degraded.
        #expect(try await pool.call(.status)[2].availability == .down)
        pool.cast(.probeSucceeded(provider: "gamma", head: 100, atMs: 2))
        pool.cast(.probeFailed(provider: "gamma", verdict: .providerFault(.timeout), atMs: 3))
        let status = try await pool.call(.status)
        #expect(status.map(\.availability) == [.up, .lagging, .degraded])
        #expect(status.map(\.lag) == [0, 4, 0])
        #expect(status[2].lastError == "provider.timeout" && status[2].consecutiveFailures == 1)
        // Heads reach the board, so selection can skip the laggard.
        #expect(board.snapshot.providers.map(\.headBlock) == [100, 96, 100])
        #expect(board.snapshot.bestKnownHead == 100)
    }

    @Test func repeatedFailuresMarkAProviderDownAndASuccessHeals() async throws {
        let (pool, _) = try await makePool()
        for n in 1...3 { pool.cast(.probeFailed(provider: "alpha", verdict: .providerFault(.connectFailed), atMs: UInt64(n))) }
        #expect(try await pool.call(.status)[0].availability == .down)
        pool.cast(.probeSucceeded(provider: "alpha", head: 5, atMs: 4))
        let alpha = try await pool.call(.status)[0]
        #expect(alpha.availability == .up && alpha.consecutiveFailures == 0 && alpha.lastProbeMs == 4)
    }

    @Test func unknownProvidersAreIgnoredAndStatusNeverShowsURLs() async throws {
        let (pool, _) = try await makePool()
        pool.cast(.probeSucceeded(provider: "nobody", head: 1, atMs: 1))
        let status = try await pool.call(.status)
        #expect(status.map(\.id) == ["alpha", "beta", "gamma"])
        #expect(!String(describing: status).contains("SECRETKEY"))
    }

    @Test func classificationRule() {
        #expect(ProviderAvailability.classify(consecutiveFailures: 0, lag: 3, lagThreshold: 3, probed: true) == .up)
        #expect(ProviderAvailability.classify(consecutiveFailures: 0, lag: 4, lagThreshold: 3, probed: true) == .lagging)
        #expect(ProviderAvailability.classify(consecutiveFailures: 2, lag: 0, lagThreshold: 3, probed: true) == .degraded)
        #expect(ProviderAvailability.classify(consecutiveFailures: 3, lag: 0, lagThreshold: 3, probed: true) == .down)
        #expect(ProviderAvailability.classify(consecutiveFailures: 0, lag: nil, lagThreshold: 3, probed: false) == .unknown)
        // Never answered since start: one failed probe is enough to call it down.
        #expect(ProviderAvailability.classify(consecutiveFailures: 1, lag: nil, lagThreshold: 3, probed: true,
                                              everAnswered: false) == .down)
        #expect(ProviderAvailability.classify(consecutiveFailures: 1, lag: nil, lagThreshold: 3, probed: true,
                                              everAnswered: true) == .degraded)
    }
}
