import Foundation
import Testing
@testable import Lasso
import Supervision

/// `TreeControl` on a live lassod: the tree, chains, status, chain operations and breakers.
@Suite(.serialized) struct TreeControlTests {
    @Test func theTreeIsNamedAsTheBriefPrintsIt() async throws {
        let stack = try await TreeControlStack()
        let tree = await stack.tree()
        #expect(tree.name == "Application" && tree.strategy == "one_for_one")
        let top = tree.children.map(\.name)
        let chains = try #require(top.firstIndex(of: "ChainsSupervisor"))
        let store = try #require(top.firstIndex(of: "ConfigStore"))
        #expect(top.contains("BenchmarkStore"))
        #expect(chains < store && top.last == "Endpoint", "ConfigStore sits after ChainsSupervisor, Endpoint last: \(top)")
        #expect(tree.node(at: ["ChainsSupervisor"])?.strategy == "dynamic")
        #expect(tree.node(at: ["ConfigStore"])?.kind == .worker)

        let ethereum = try #require(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(ethereum)"]))
        #expect(ethereum.strategy == "one_for_one")
        let chainChildren = ethereum.children.map(\.name)
        for name in ["ProviderSupervisor(alpha)", "ProviderSupervisor(beta)", "ProviderPool", "ProviderHealthMonitor"] {
            #expect(chainChildren.contains(name), "\(name) in \(chainChildren)")
        }
        let alpha = try #require(ethereum.node(at: ["ProviderSupervisor(alpha)"]))
        #expect(alpha.children.map(\.name) == ["CircuitBreaker(alpha, http)", "CircuitBreaker(alpha, ws)",
                                               "WSConnection(alpha)"])
        #expect(ethereum.node(at: ["ProviderSupervisor(beta)"])?.children.map(\.name) == ["CircuitBreaker(beta, http)"])
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(base)", "ProviderSupervisor(gamma)"]) != nil)
        #expect(tree.allNodes.allSatisfy { $0.status == .running && $0.pid != nil })
        await stack.shutdown()
    }

    @Test func chainsAndStatusAreWhatTheAPIShows() async throws {
        let stack = try await TreeControlStack()
        let chains = await stack.control.chains()
        #expect(chains.map(\.chain) == ["ethereum", "base", "polygon"])
        #expect(chains.allSatisfy { $0.running })
        #expect(chains.first?.providers == ["alpha", "beta"] && chains.first?.chainId == 1)
        // One type for both: the HTTP API encodes exactly what the admin socket gets.
        let api = try await stack.get("/api/chains")
        #expect(try JSONDecoder().decode([AdminChainSummary].self, from: Data(api.body.utf8)) == chains)

        let status = try await stack.control.status(chain: "ethereum")
        #expect(status.running && status.chain == "ethereum" && status.providers.map(\.id) == ["alpha", "beta"])
        #expect(status.providers.first?.breakers["http"] == "closed")
        #expect(try await stack.control.status(chain: "1").chain == "ethereum", "a chain id names its chain")
        await #expect(throws: AdminError.unknownChain("nowhere")) { try await stack.control.status(chain: "nowhere") }

        try await stack.control.stopChain("base")
        #expect(try await stack.control.status(chain: "base").running == false)
        #expect(await stack.control.chains().first { $0.chain == "base" }?.running == false)
        await stack.shutdown()
    }

    @Test func chainsStopStartAndRestartWithTheirErrors() async throws {
        let stack = try await TreeControlStack()
        let control = stack.control
        let basePath = "Application/ChainsSupervisor/ChainSupervisor(base)"
        let first = try #require(await stack.pid(at: basePath))

        try await control.stopChain("base")
        #expect(await stack.pid(at: basePath) == nil)
        #expect(stack.app.services.directory.board(for: "base") == nil)
        #expect(await stack.answerOrError("base").contains("HTTP 503"), "a stopped chain answers 503")
        await #expect(throws: AdminError.chainNotRunning("base")) { try await control.stopChain("base") }

        try await control.startChain("8453")
        let second = try #require(await stack.pid(at: basePath))
        #expect(second != first)
        #expect(try await stack.chainID("base") == TreeControlStack.expectedChainID(8453))
        await #expect(throws: AdminError.chainAlreadyRunning("base")) { try await control.startChain("base") }

        try await control.restartChain("base")
        let third = try #require(await stack.pid(at: basePath))
        #expect(third != second)
        #expect(try await stack.chainID("base") == TreeControlStack.expectedChainID(8453))

        try await control.stopChain("base")
        try await control.restartChain("base")
        #expect(await stack.pid(at: basePath) != nil, "restarting a stopped chain starts it")

        for operation in [control.startChain, control.stopChain, control.restartChain] {
            await #expect(throws: AdminError.unknownChain("nowhere")) { try await operation("nowhere") }
        }
        await stack.shutdown()
    }

    @Test func concurrentOperationsOnOneChainNeverLeaveTwoCopiesOrAStaleEntry() async throws {
        let stack = try await TreeControlStack()
        let control = stack.control
        let outcomes = await withTaskGroup(of: String.self) { group in
            for round in 0..<12 {
                group.addTask {
                    do {
                        switch round % 3 {
                        case 0: try await control.restartChain("base")
                        case 1: try await control.stopChain("base")
                        default: try await control.startChain("base")
                        }
                        return "ok"
                    } catch let error as AdminError {
                        return error.description
                    } catch {
                        return "unexpected \(error)"
                    }
                }
            }
            var all: [String] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        // Serialised: each operation saw the state the previous one left, so only the two
        // "wrong state" refusals can occur — never a failed start from a duplicate.
        let allowed: Set = ["ok", "chain not running: base", "chain already running: base"]
        #expect(outcomes.allSatisfy(allowed.contains), "\(outcomes)")
        #expect(outcomes.filter { $0 == "ok" }.count >= 4, "every restart succeeds: \(outcomes)")
        let copies = await stack.tree().node(at: ["ChainsSupervisor"])?.children.filter { $0.name == "ChainSupervisor(base)" }
        #expect((copies?.count ?? 0) <= 1)
        #expect((copies?.count == 1) == (stack.app.services.directory.board(for: "base") != nil))
        await stack.shutdown()
    }

    @Test func anOpenBreakerTakesItsProviderOutOfTrafficUntilClosedOrReset() async throws {
        let stack = try await TreeControlStack()
        let control = stack.control
        let expected = TreeControlStack.expectedChainID(1)
        func answered() -> (alpha: Int, beta: Int) {
            (stack.alpha.provider.requestCounts["eth_chainId"] ?? 0, stack.beta.provider.requestCounts["eth_chainId"] ?? 0)
        }
        #expect(try await stack.chainID("ethereum") == expected)
        #expect(answered() == (1, 0), "priority sends to alpha over http")

        #expect(try await control.breaker(chain: "ethereum", provider: "alpha", transport: .http, action: .open) == .forcedOpen)
        #expect(try await control.breaker(chain: "ethereum", provider: "alpha", transport: .ws, action: .open) == .forcedOpen)
        for _ in 0..<5 { #expect(try await stack.chainID("ethereum") == expected) }
        #expect(answered() == (1, 5), "alpha gets nothing while its breakers are held open")
        let status = try await control.status(chain: "ethereum")
        #expect(status.providers.first?.breakers == ["http": "forced_open", "ws": "forced_open"])

        #expect(try await control.breaker(chain: "ethereum", provider: "alpha", transport: .http, action: .close) == .closed)
        #expect(try await stack.chainID("ethereum") == expected)
        #expect(answered() == (2, 5))

        _ = try await control.breaker(chain: "ethereum", provider: "alpha", transport: .http, action: .open)
        #expect(try await stack.chainID("ethereum") == expected)
        #expect(answered() == (2, 6))
        #expect(try await control.breaker(chain: "1", provider: "alpha", transport: .http, action: .reset) == .closed)
        #expect(try await stack.chainID("ethereum") == expected)
        #expect(answered() == (3, 6))

        await #expect(throws: AdminError.unknownChain("nowhere")) {
            try await control.breaker(chain: "nowhere", provider: "alpha", transport: .http, action: .open)
        }
        await #expect(throws: AdminError.unknownProvider(chain: "ethereum", provider: "zeta")) {
            try await control.breaker(chain: "ethereum", provider: "zeta", transport: .http, action: .open)
        }
        await #expect(throws: AdminError.unknownBreaker(chain: "ethereum", provider: "beta", transport: .ws)) {
            try await control.breaker(chain: "ethereum", provider: "beta", transport: .ws, action: .open)
        }
        try await control.stopChain("base")
        await #expect(throws: AdminError.chainNotRunning("base")) {
            try await control.breaker(chain: "base", provider: "gamma", transport: .http, action: .open)
        }
        await stack.shutdown()
    }
}
