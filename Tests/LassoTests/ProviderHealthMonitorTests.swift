import Testing
@testable import Lasso
import Supervision

@Suite struct ProviderHealthMonitorTests {
    @Test func probesFeedThePoolAndTheBreakersAndRecoverAHalfOpenBreaker() async throws {
        let clock = ManualClock()
        let runtime = Runtime(clock: clock)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                monitoring: {probe_interval_ms: 12000}
                providers:
                  - {id: alpha, priority: 1, url: "http://127.0.0.1:1"}
                  - {id: beta, priority: 2, url: "http://127.0.0.1:2"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let board = ChainStateBoard(chain: chain)
        let breakers = BreakerDirectory()
        let names = ProcessNames()
        let upstream = ScriptedUpstream()
        upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":"0x64"}"#)
        upstream.answer("beta") { _ in .failure(.timeout) }

        let supervisor = try await Supervisor.start(name: "ChainSupervisor(ethereum)", children: [
            CircuitBreaker.childSpec(chain: "ethereum", provider: "alpha", transport: .http, policy: CircuitBreakerPolicy(),
                                     board: board, directory: breakers),
            CircuitBreaker.childSpec(chain: "ethereum", provider: "beta", transport: .http, policy: CircuitBreakerPolicy(),
                                     board: board, directory: breakers),
            ProviderPool.childSpec(chain: chain, board: board, names: names),
            ProviderHealthMonitor.childSpec(chain: chain, board: board, sender: upstream, names: names),
        ], runtime: runtime)
        let monitor = try #require(try await supervisor.whichChildren()[3].process?.server(ProviderHealthMonitor.self))
        let pool = try #require(names.providerPool(chain: "ethereum"))

        try await monitor.call(.probeNow)
        var status = try await pool.call(.status)
        #expect(status[0].head == 100 && status[0].availability == .up)
        // beta has never answered: one failed probe makes it down.
        #expect(status[1].lastError == "provider.timeout" && status[1].availability == .down)
        #expect(board.snapshot.providers[0].headBlock == 100)

        // The probe interval drives further rounds; five timeouts open beta's breaker.
        for _ in 0..<3 {
            clock.advance(by: .seconds(12))
            try await monitor.call(.probeNow)
        }
        status = try await pool.call(.status)
        #expect(status[1].availability == .down)
        let beta = try #require(breakers.breaker(chain: "ethereum", channel: Channel(providerID: "beta", transport: .http)))
        guard case .open = try await beta.call(.status).state else {
            Issue.record("beta's breaker did not open from probe failures")
            return
        }
        let sentBefore = upstream.sentTo.filter { $0 == "beta" }.count
        try await monitor.call(.probeNow)
        #expect(upstream.sentTo.filter { $0 == "beta" }.count == sentBefore, "an open breaker is not probed")

        // Beta recovers: after the recovery timeout, two probe trials close the breaker again.
        upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x63"}"#)
        clock.advance(by: .seconds(60))
        _ = try await beta.call(.status)
        try await monitor.call(.probeNow)
        try await monitor.call(.probeNow)
        guard case .closed = try await beta.call(.status).state else {
            Issue.record("beta's breaker did not close after successful probe trials")
            return
        }
        #expect(try await pool.call(.status)[1].availability == .up)
    }

    @Test func blockNumberParsing() {
        #expect(ProviderHealthMonitor.blockNumber(in: Array(#"{"jsonrpc":"2.0","id":1,"result":"0x1b4"}"#.utf8)) == 436)
        #expect(ProviderHealthMonitor.blockNumber(in: Array(#"{"jsonrpc":"2.0","id":1,"result":"12"}"#.utf8)) == nil)
        #expect(ProviderHealthMonitor.blockNumber(in: Array(#"{"jsonrpc":"2.0","id":1,"result":"0x"}"#.utf8)) == nil)
        #expect(ProviderHealthMonitor.blockNumber(in: Array(#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}"#.utf8)) == nil)
    }
}
