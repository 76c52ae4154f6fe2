import Foundation
import Testing
import Lasso
@testable import LassoSimulation
import Supervision
import TestSupport

// Every ```swift example in the doc comments of Sources/LassoSimulation, compiled here as it stands
// there (the names it leaves open defined first) and run when it is cheap, each followed by what
// it claims. The last test checks that each example's lines stand in this file in the same order
// (`docExampleProblems`), so a doc example cannot drift from code that compiles.

/// `Battle`'s example: a 20-second scenario, compiled but not run here (`BattleScenarioTests`
/// and `lasso-bench battle` run scenarios).
func battleExample() async throws -> Battle.Report {
    let report = try await Battle.Scenario("http-failover")
        .chain("ethereum", providers: [.init(id: "fast", latencyMs: 10), .init(id: "mid", latencyMs: 20)])
        .workload(Battle.Workload(chain: "ethereum", concurrency: 50))
        .chaos(.kill(.fastest(chain: "ethereum"), at: 2_000, every: 6_000, restoreAfter: 3_000))
        .slo(.successRate(atLeast: 1.0))
        .duration(ms: 20_000)
        .run(reportDirectory: "battle-reports/http-failover")
    return report
}

@Suite struct DocExampleTests {
    @Test func deterministicMixer() {
        let value = DeterministicMixer.mix(1, 7)   // the same on every run and every machine
        #expect(value == DeterministicMixer.mix(1, 7) && value != DeterministicMixer.mix(1, 8))
    }

    @Test func simulatedChainAndFork() {
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000, headAtStart: 100)
        let head = chain.head(at: RuntimeInstant(milliseconds: 25_000))                                   // 102
        let linked = chain.block(102).parentHash == chain.blockHash(101)                                  // true
        let oneLogPerTransaction = chain.logs(inBlock: 102).count == chain.block(102).transactions.count  // true
        #expect(head == 102 && linked && oneLogPerTransaction)

        let fork = SimulatedFork(fromBlock: 103, salt: 1)
        let branch = chain.forked(fork)
        let rehashed = branch.blockHash(103) != chain.blockHash(103)        // true: same number, new hash
        let joined = branch.block(103).parentHash == chain.blockHash(102)   // true
        #expect(rehashed && joined)
    }

    @Test func simulatedLogFilter() throws {
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000, headAtStart: 100)
        let sender = try #require(chain.block(100).transactions.first).from
        // Transfers from any of the chain's emitters, to anyone, from one sender:
        let filter = SimulatedLogFilter(addresses: [], topics: [[SimulatedChain.transferTopic], [SimulatedChain.paddedTopic(sender)]])
        let matched = chain.logs(inBlock: 100, matching: filter)
        #expect(!matched.isEmpty)
        #expect(matched.allSatisfy { $0.topics.count >= 2 && $0.topics[1] == SimulatedChain.paddedTopic(sender) })
    }

    @Test func simulatedNetwork() throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum: {chain_id: 1, providers: [{id: real, url: "https://eth.example/KEY"}]}
            """, environment: [:])
        let clock = ManualClock()
        let network = SimulatedNetwork(chains: config.chains, start: clock.now())
        let demo = network.chainConfigs(httpURL: { "http://127.0.0.1:4100/sim/\($0)" },
                                        wsURL: { "ws://127.0.0.1:4100/sim/\($0)" })
        network.provider(id: "ethereum_sim_2")?.behavior = .lagging(blocks: 4)
        #expect(demo.first?.providers.map(\.id) == ["ethereum_sim_1", "ethereum_sim_2", "ethereum_sim_3"])
        #expect(demo.first?.providers.first?.url == "http://127.0.0.1:4100/sim/ethereum_sim_1")
        #expect(network.provider(id: "ethereum_sim_2")?.behavior == .lagging(blocks: 4))
    }

    @Test func simulatedProvider() {
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)
        let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#.utf8)
        let clockNow = RuntimeInstant(milliseconds: 10_000)   // the chain's head: 110
        let provider = SimulatedProvider(id: "ethereum_sim_1", chain: chain)
        provider.behavior = .lagging(blocks: 3)
        provider.fork = SimulatedFork(fromBlock: 103)   // this provider now follows a reorg at 103
        let reply = provider.handleHTTP(body: request, now: clockNow)   // head 107: 3 blocks behind
        #expect(reply.response?.bodyText == #"{"jsonrpc":"2.0","id":1,"result":"0x6b"}"#)
        #expect(provider.head(at: clockNow) == 107)
    }

    @Test func simulatedRPCHandlerAndSubscriptions() {
        let handler = SimulatedRPCHandler(chain: SimulatedChain(chainID: 1, blockIntervalMs: 1_000))
        let reply = handler.handleHTTP(body: Array(#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}"#.utf8),
                                       behavior: .healthy, now: .zero)
        let text = reply.response?.bodyText   // {"jsonrpc":"2.0","id":7,"result":"0x1"}
        #expect(text == #"{"jsonrpc":"2.0","id":7,"result":"0x1"}"#)

        let subscribeNewHeads = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#.utf8)
        let t0 = RuntimeInstant.zero
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let subscribed = handler.handleWebSocket(message: subscribeNewHeads, behavior: .healthy, now: t0, subscriptions: &subscriptions)
        let notifications = subscriptions.tick(behavior: .healthy, now: t0.advanced(byMilliseconds: 3_000))   // 3 newHeads, blocks 1…3
        #expect(subscribed.response?.bodyText.contains(#""result":"0x"#) == true)
        #expect(notifications.map(\.blockNumber) == [1, 2, 3])
    }

    @Test func everyDocExampleStandsInThisFile() throws {
        let examples = try docExamples(under: "Sources/LassoSimulation")
        #expect(examples.count >= 9)
        let problems = try docExampleProblems(examples)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
