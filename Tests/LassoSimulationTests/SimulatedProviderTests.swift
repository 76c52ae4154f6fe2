import Supervision
import Synchronization
import Testing
import Lasso
@testable import LassoSimulation

@Suite struct SimulatedProviderTests {
    let chain = SimulatedChain(chainID: 137, blockIntervalMs: 2_000, headAtStart: 50)
    let blockNumber = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#.utf8)

    @Test func behaviorSwitchesTakeEffectOnTheNextRequest() {
        let provider = SimulatedProvider(id: "sim_polygon_1", chain: chain)
        #expect(provider.behavior == .healthy)
        #expect(provider.handleHTTP(body: blockNumber, now: .zero).response?.bodyText == #"{"jsonrpc":"2.0","id":1,"result":"0x32"}"#)
        provider.behavior = .lagging(blocks: 2)
        #expect(provider.head(at: .zero) == 48)
        #expect(provider.handleHTTP(body: blockNumber, now: .zero).response?.bodyText == #"{"jsonrpc":"2.0","id":1,"result":"0x30"}"#)
        provider.behavior = .killed
        #expect(provider.handleHTTP(body: blockNumber, now: .zero) == .closeConnection(graceful: false))
        provider.behavior = .healthy
        #expect(provider.handleHTTP(body: blockNumber, now: .zero).response?.status == 200)
    }

    @Test func behaviorChangesAreReported() {
        let seen = Mutex<[SimulatedProviderBehavior]>([])
        let provider = SimulatedProvider(id: "p", chain: chain) { behavior in seen.withLock { $0.append(behavior) } }
        provider.behavior = .down
        provider.behavior = .slow(latencyMs: 10)
        #expect(seen.withLock { $0 } == [.down, .slow(latencyMs: 10)])
    }

    @Test func webSocketsAreRefusedWhileDownOrKilled() throws {
        let provider = SimulatedProvider(id: "p", chain: chain, behavior: .down)
        #expect(provider.acceptWebSocket() == nil)
        provider.behavior = .killed
        #expect(provider.acceptWebSocket() == nil)
        provider.behavior = .stalledSubscription
        #expect(provider.acceptWebSocket() != nil)
    }

    @Test func eachConnectionGetsItsOwnSubscriptionIds() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        var first = try #require(provider.acceptWebSocket())
        var second = try #require(provider.acceptWebSocket())
        let subscribe = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#.utf8)
        _ = provider.handleWebSocket(message: subscribe, now: .zero, subscriptions: &first)
        _ = provider.handleWebSocket(message: subscribe, now: .zero, subscriptions: &second)
        #expect(first.ids.count == 1 && second.ids.count == 1)
        #expect(first.ids != second.ids)
    }

    @Test func tickUsesTheCurrentBehavior() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        var subscriptions = try #require(provider.acceptWebSocket())
        let subscribe = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#.utf8)
        _ = provider.handleWebSocket(message: subscribe, now: .zero, subscriptions: &subscriptions)
        #expect(provider.tick(&subscriptions, now: RuntimeInstant(milliseconds: 4_000)).map(\.blockNumber) == [51, 52])
        provider.behavior = .stalledSubscription
        #expect(provider.tick(&subscriptions, now: RuntimeInstant(milliseconds: 6_000)).isEmpty)
        provider.behavior = .healthy
        #expect(provider.tick(&subscriptions, now: RuntimeInstant(milliseconds: 8_000)).map(\.blockNumber) == [54])
    }

    @Test func requestsAreCountedPerMethodWhateverTheBehavior() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        _ = provider.handleHTTP(body: blockNumber, now: .zero)
        provider.behavior = .down
        _ = provider.handleHTTP(body: blockNumber, now: .zero)
        provider.behavior = .healthy
        let batch = #"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},5,{"jsonrpc":"2.0","id":2,"method":"eth_sendRawTransaction","params":["0x00"]}]"#
        _ = provider.handleHTTP(body: Array(batch.utf8), now: .zero)
        _ = provider.handleHTTP(body: Array("not json".utf8), now: .zero)
        var subscriptions = try #require(provider.acceptWebSocket())
        _ = provider.handleWebSocket(message: blockNumber, now: .zero, subscriptions: &subscriptions)
        #expect(provider.requestCounts == ["eth_blockNumber": 3, "eth_chainId": 2, "eth_sendRawTransaction": 1])
        provider.resetRequestCounts()
        #expect(provider.requestCounts.isEmpty)
    }

    @Test func anObserverHearsTheIDOfEveryRequestAsSentUntilRemoved() {
        final class Heard: Sendable {
            let ids = Mutex<[[String]]>([])
        }
        let provider = SimulatedProvider(id: "p", chain: chain, behavior: .rateLimited(retryAfterSeconds: 2))
        let heard = Heard()
        provider.observeRequests { ids in heard.ids.withLock { $0.append(ids) } }
        _ = provider.handleHTTP(body: blockNumber, now: .zero)
        let batch = #"[{"jsonrpc":"2.0","id":"a","method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":1.0e3,"method":"eth_chainId"}]"#
        _ = provider.handleHTTP(body: Array(batch.utf8), now: .zero)
        provider.observeRequests(nil)
        _ = provider.handleHTTP(body: blockNumber, now: .zero)
        #expect(heard.ids.withLock { $0 } == [["1"], [#""a""#, "1.0e3"]], "ids as sent, notifications have none, nothing once removed")
    }

    @Test func threeProvidersOfOneChainServeIdenticalBlocks() {
        let providers = (1...3).map { SimulatedProvider(id: "sim_\($0)", chain: SimulatedChain(chainID: 137, blockIntervalMs: 2_000, headAtStart: 50)) }
        let body = Array(#"{"jsonrpc":"2.0","id":"b","method":"eth_getBlockByNumber","params":["latest",true]}"#.utf8)
        let answers = providers.map { $0.handleHTTP(body: body, now: RuntimeInstant(milliseconds: 9_000)).response?.body }
        #expect(answers[0] != nil)
        #expect(answers[0] == answers[1] && answers[1] == answers[2])
    }
}
