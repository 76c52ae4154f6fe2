import Foundation
import Testing
@testable import Lasso
import TestSupport

/// Each selection strategy through `/rpc/:strategy/:chain`, and a pinned provider through
/// `/rpc/provider/:id/:chain`, over loopback against simulated providers. Each test counts
/// where the requests landed.
@Suite(.serialized) struct StrategyEndToEndTests {
    static let reply = #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#

    @Test func priorityAlwaysPicksThePriorityOneProvider() async throws {
        // The default strategy is round robin: the route's strategy must win.
        let harness = try await LassoHarness(providers: [.init(id: "alpha", fields: "priority: 2"),
                                                         .init(id: "beta", fields: "priority: 1"),
                                                         .init(id: "gamma", fields: "priority: 3")],
                                             strategy: "round_robin")
        for _ in 0..<6 { #expect(try await harness.chainID("/rpc/priority/ethereum") == Self.reply) }
        #expect(harness.count("beta") == 6)
        #expect(harness.count("alpha") == 0 && harness.count("gamma") == 0)
        await harness.shutdown()
    }

    @Test func cheapestPrefersPublicProviders() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha", fields: "priority: 1, type: paid"),
                                                         .init(id: "beta", fields: "priority: 2, type: public"),
                                                         .init(id: "gamma", fields: "priority: 3, type: paid")])
        for _ in 0..<6 { #expect(try await harness.chainID("/rpc/cheapest/ethereum") == Self.reply) }
        #expect(harness.count("beta") == 6)
        #expect(harness.count("alpha") == 0 && harness.count("gamma") == 0)
        await harness.shutdown()
    }

    @Test func roundRobinRotatesOverEveryHealthyProvider() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha"), .init(id: "beta"), .init(id: "gamma")])
        for _ in 0..<9 { #expect(try await harness.chainID("/rpc/round-robin/ethereum") == Self.reply) }
        #expect(harness.count("alpha") == 3 && harness.count("beta") == 3 && harness.count("gamma") == 3)
        await harness.shutdown()
    }

    @Test func fastestPrefersTheMeasurablyFasterProviderAfterWarmUp() async throws {
        // alpha has priority but is 250 ms slower: only measurement can put beta first. (By 40 ms,
        // as before, one of beta's replies held up on a loaded machine could make it the slower.)
        let harness = try await LassoHarness(providers: [.init(id: "alpha", fields: "priority: 1"),
                                                         .init(id: "beta", fields: "priority: 2")])
        harness.provider("alpha").behavior = .slow(latencyMs: 250)
        // Before any measurement `fastest` falls back to priority.
        #expect(try await harness.chainID("/rpc/fastest/ethereum") == Self.reply)
        #expect(harness.count("alpha") == 1)
        for _ in 0..<12 { #expect(try await harness.chainID("/rpc/round-robin/ethereum") == Self.reply) }
        let board = try #require(harness.app.services.directory.board(for: "ethereum"))
        let measured = await waitFor {
            let snapshot = board.snapshot
            return ["alpha", "beta"].allSatisfy {
                snapshot.performance(of: Channel(providerID: $0, transport: .http), method: "eth_chainId").samples >= 6
            }
        }
        #expect(measured, "the benchmark store published both providers' latency")
        harness.provider("alpha").resetRequestCounts()
        harness.provider("beta").resetRequestCounts()
        for _ in 0..<8 { #expect(try await harness.chainID("/rpc/fastest/ethereum") == Self.reply) }
        #expect(harness.count("beta") == 8)
        #expect(harness.count("alpha") == 0)
        await harness.shutdown()
    }

    @Test func aPinnedProviderGetsTheRequestAndNoFailover() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha"), .init(id: "beta")])
        #expect(try await harness.chainID("/rpc/provider/beta/ethereum") == Self.reply)
        #expect(harness.count("beta") == 1 && harness.count("alpha") == 0)

        harness.provider("beta").behavior = .erroring(.httpServerError)
        let failed = try await harness.chainID("/rpc/provider/beta/ethereum")
        #expect(failed.contains(#""code":-32000"#) && failed.contains("beta/http"))
        #expect(harness.count("beta") == 2)
        #expect(harness.count("alpha") == 0, "a pinned request never fails over")

        let (status, body) = try await harness.get("/api/health")
        #expect(status == 200 && body.contains(#""status":"ok""#))
        await harness.shutdown()
    }
}
