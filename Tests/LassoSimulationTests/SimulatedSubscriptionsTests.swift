import Supervision
import Foundation
import Testing
import Lasso
@testable import LassoSimulation

/// Chain 1, head 100 at instant 0, one block per second.
private let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)
private let handler = SimulatedRPCHandler(chain: chain)

private func at(_ milliseconds: UInt64) -> RuntimeInstant { RuntimeInstant(milliseconds: milliseconds) }

private func send(_ message: String, _ subscriptions: inout SimulatedSubscriptions,
                  _ behavior: SimulatedProviderBehavior = .healthy, now: RuntimeInstant = .zero) -> SimulatedReply {
    handler.handleWebSocket(message: Array(message.utf8), behavior: behavior, now: now, subscriptions: &subscriptions)
}

/// Subscribes and returns the new subscription id.
private func subscribe(_ params: String, _ subscriptions: inout SimulatedSubscriptions,
                       _ behavior: SimulatedProviderBehavior = .healthy, now: RuntimeInstant = .zero) throws -> String {
    let reply = send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":\#(params)}"#, &subscriptions, behavior, now: now)
    let body = try #require(reply.response).body
    let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    return try #require(object["result"] as? String, "no subscription id in \(object)")
}

/// The `params.result` object of a notification, checking its envelope.
private func payload(_ notification: SimulatedNotification) throws -> [String: Any] {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(notification.body)) as? [String: Any])
    #expect(object["jsonrpc"] as? String == "2.0")
    #expect(object["method"] as? String == "eth_subscription")
    #expect(object["id"] == nil)
    let params = try #require(object["params"] as? [String: Any])
    #expect(params["subscription"] as? String == notification.subscriptionID)
    return try #require(params["result"] as? [String: Any])
}

@Suite struct SimulatedSubscriptionsTests {
    @Test func subscribeReturnsAGethStyleId() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let id = try subscribe(#"["newHeads"]"#, &subscriptions)
        #expect(SimulatedHex.isData(id, byteCount: 16))
        #expect(subscriptions.ids == [id])
        #expect(subscriptions.kind(of: id) == .newHeads)
        let second = try subscribe(#"["newHeads"]"#, &subscriptions)
        #expect(second != id)
        var sameSeed = handler.makeSubscriptions(connectionSeed: 1)
        #expect(try subscribe(#"["newHeads"]"#, &sameSeed) == id, "ids are deterministic per connection seed")
        var otherSeed = handler.makeSubscriptions(connectionSeed: 2)
        #expect(try subscribe(#"["newHeads"]"#, &otherSeed) != id)
    }

    @Test func newHeadsAcrossIrregularTicksHasNoGapsOrDuplicates() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let id = try subscribe(#"["newHeads"]"#, &subscriptions, now: at(400))
        var delivered: [SimulatedNotification] = []
        for tick: UInt64 in [400, 999, 1_000, 2_500, 2_500, 2_501, 3_000, 7_200, 7_999, 8_000] {
            delivered += subscriptions.tick(behavior: .healthy, now: at(tick))
        }
        #expect(delivered.map(\.blockNumber) == Array(101...108))
        #expect(delivered.allSatisfy { $0.subscriptionID == id })
        var previousHash = chain.blockHash(100)
        for notification in delivered {
            let header = try payload(notification)
            #expect(header["number"] as? String == SimulatedHex.quantity(notification.blockNumber))
            #expect(header["hash"] as? String == chain.blockHash(notification.blockNumber))
            #expect(header["parentHash"] as? String == previousHash)
            #expect(header["transactions"] == nil)
            previousHash = try #require(header["hash"] as? String)
        }
        #expect(delivered.first?.body == Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"\#(id)","result":"#.utf8)
            + chain.block(101).headerJSON + Array("}}".utf8))
    }

    @Test func tickingTwiceAtOneInstantEmitsNothingNew() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        _ = try subscribe(#"["newHeads"]"#, &subscriptions)
        #expect(subscriptions.tick(behavior: .healthy, now: at(3_000)).count == 3)
        #expect(subscriptions.tick(behavior: .healthy, now: at(3_000)).isEmpty)
        #expect(subscriptions.tick(behavior: .healthy, now: at(1_000)).isEmpty)
    }

    @Test func logsSubscriptionFollowsItsFilter() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let usdc = SimulatedChain.logEmitters[0]
        let id = try subscribe(#"["logs",{"address":"\#(usdc)","topics":["\#(SimulatedChain.transferTopic)"]}]"#, &subscriptions)
        let filter = SimulatedLogFilter(addresses: [usdc], topics: [[SimulatedChain.transferTopic]])
        #expect(subscriptions.kind(of: id) == .logs(filter))
        var delivered: [SimulatedNotification] = []
        for tick: UInt64 in stride(from: 0, through: 30_000, by: 1_700) {
            delivered += subscriptions.tick(behavior: .healthy, now: at(tick))
        }
        delivered += subscriptions.tick(behavior: .healthy, now: at(30_000))
        let want = (101...130).flatMap { chain.logs(inBlock: $0) }.filter(filter.matches)
        #expect(!want.isEmpty)
        let got = try delivered.map { try payload($0) }
        #expect(got.map { $0["transactionHash"] as? String } == want.map(\.transactionHash))
        #expect(got.map { $0["logIndex"] as? String } == want.map { SimulatedHex.quantity($0.logIndex) })
        #expect(delivered.map(\.blockNumber) == want.map(\.blockNumber))
        #expect(delivered.map(\.body) == want.map { log in
            Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"\#(id)","result":"#.utf8) + log.json + Array("}}".utf8)
        })
    }

    @Test func unfilteredLogsSubscriptionGetsEveryLog() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        _ = try subscribe(#"["logs"]"#, &subscriptions)
        let delivered = subscriptions.tick(behavior: .healthy, now: at(5_000))
        #expect(delivered.count == (101...105).map { chain.logs(inBlock: $0).count }.reduce(0, +))
    }

    @Test func severalSubscriptionsAreInterleavedByBlock() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let heads = try subscribe(#"["newHeads"]"#, &subscriptions)
        let logs = try subscribe(#"["logs"]"#, &subscriptions, now: at(1_000))
        let delivered = subscriptions.tick(behavior: .healthy, now: at(3_000))
        var expected: [(String, UInt64)] = [(heads, 101)]
        for block: UInt64 in 102...103 {
            expected.append((heads, block))
            expected += chain.logs(inBlock: block).map { _ in (logs, block) }
        }
        #expect(delivered.map(\.subscriptionID) == expected.map(\.0))
        #expect(delivered.map(\.blockNumber) == expected.map(\.1))
    }

    @Test func unsubscribeStopsEvents() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let id = try subscribe(#"["newHeads"]"#, &subscriptions)
        let unsubscribe = #"{"jsonrpc":"2.0","id":2,"method":"eth_unsubscribe","params":["\#(id)"]}"#
        #expect(send(unsubscribe, &subscriptions).response?.bodyText == #"{"jsonrpc":"2.0","id":2,"result":true}"#)
        #expect(send(unsubscribe, &subscriptions).response?.bodyText == #"{"jsonrpc":"2.0","id":2,"result":false}"#)
        #expect(subscriptions.ids.isEmpty)
        #expect(subscriptions.tick(behavior: .healthy, now: at(5_000)).isEmpty)
        let removedAgain = subscriptions.unsubscribe(id)
        #expect(!removedAgain)
    }

    @Test func stalledSubscriptionLosesEventsUntilItRecovers() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        _ = try subscribe(#"["newHeads"]"#, &subscriptions)
        var delivered = subscriptions.tick(behavior: .healthy, now: at(3_000))
        #expect(subscriptions.tick(behavior: .stalledSubscription, now: at(4_000)).isEmpty)
        #expect(subscriptions.tick(behavior: .stalledSubscription, now: at(6_000)).isEmpty)
        delivered += subscriptions.tick(behavior: .healthy, now: at(8_000))
        #expect(delivered.map(\.blockNumber) == [101, 102, 103, 107, 108], "104–106 are a gap for the proxy to fill")
    }

    @Test(arguments: [SimulatedProviderBehavior.hanging, .down, .killed])
    func silentBehaviorsPushNothing(behavior: SimulatedProviderBehavior) throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        _ = try subscribe(#"["newHeads"]"#, &subscriptions)
        #expect(subscriptions.tick(behavior: behavior, now: at(3_000)).isEmpty)
        #expect(subscriptions.tick(behavior: .healthy, now: at(4_000)).map(\.blockNumber) == [104])
    }

    @Test func laggingDelaysEventsWithoutGapsOrDuplicates() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        _ = try subscribe(#"["newHeads"]"#, &subscriptions, .lagging(blocks: 3))
        var blocks: [UInt64] = []
        #expect(subscriptions.tick(behavior: .lagging(blocks: 3), now: at(2_000)).map(\.blockNumber) == [98, 99])
        blocks += [98, 99]
        // The lag shrinks: the blocks the provider skipped over all arrive at once.
        let caughtUp = subscriptions.tick(behavior: .healthy, now: at(3_000)).map(\.blockNumber)
        #expect(caughtUp == [100, 101, 102, 103])
        blocks += caughtUp
        // The lag grows: the provider's head goes back, and nothing is announced twice.
        #expect(subscriptions.tick(behavior: .lagging(blocks: 5), now: at(4_000)).isEmpty)
        #expect(subscriptions.tick(behavior: .lagging(blocks: 5), now: at(8_000)).isEmpty)
        let resumed = subscriptions.tick(behavior: .lagging(blocks: 5), now: at(10_000)).map(\.blockNumber)
        #expect(resumed == [104, 105])
        blocks += resumed
        #expect(blocks == Array(98...105))
    }

    @Test func slowProviderStartsEventsAfterItsSubscribeReply() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let reply = send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#, &subscriptions,
                         .slow(latencyMs: 1_500), now: at(0))
        #expect(reply.response?.delayMs == 1_500)
        #expect(subscriptions.tick(behavior: .slow(latencyMs: 1_500), now: at(1_200)).isEmpty)
        #expect(subscriptions.tick(behavior: .slow(latencyMs: 1_500), now: at(1_500)).map(\.blockNumber) == [101])
    }

    @Test func hangingOrDownProvidersCreateNoSubscription() {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let message = #"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#
        #expect(send(message, &subscriptions, .hanging) == .noReply)
        #expect(send(message, &subscriptions, .down) == .closeConnection(graceful: true))
        #expect(send(message, &subscriptions, .killed) == .closeConnection(graceful: false))
        #expect(send(message, &subscriptions, .erroring(.httpServerError)).response?.bodyText
            == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal error"}}"#)
        #expect(subscriptions.ids.isEmpty)
    }

    @Test func aLongPauseIsCappedToTheNewestBlocks() throws {
        var subscriptions = SimulatedSubscriptions(chain: chain, connectionSeed: 1, maxBlocksPerTick: 5)
        _ = try subscribe(#"["newHeads"]"#, &subscriptions)
        #expect(subscriptions.tick(behavior: .healthy, now: at(20_000)).map(\.blockNumber) == Array(116...120))
        #expect(subscriptions.tick(behavior: .healthy, now: at(22_000)).map(\.blockNumber) == [121, 122])
    }

    @Test func subscriptionCountIsCapped() throws {
        var subscriptions = SimulatedSubscriptions(chain: chain, connectionSeed: 1, maxSubscriptions: 2)
        _ = try subscribe(#"["newHeads"]"#, &subscriptions)
        _ = try subscribe(#"["logs"]"#, &subscriptions)
        let third = send(#"{"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["newHeads"]}"#, &subscriptions)
        #expect(third.response?.bodyText == #"{"jsonrpc":"2.0","id":3,"error":{"code":-32000,"message":"too many subscriptions on this connection"}}"#)
        #expect(subscriptions.ids.count == 2)
    }

    @Test(arguments: [
        (#"["newPendingTransactions"]"#, -32601),
        (#"[]"#, -32602),
        (#"[7]"#, -32602),
        (#"["logs", "everything"]"#, -32602),
        (#"["logs", {"address":"0x12"}]"#, -32602),
        (#"{"kind":"newHeads"}"#, -32602),
    ])
    func badSubscribeParams(params: String, code: Int) {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let reply = send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":\#(params)}"#, &subscriptions)
        #expect(reply.response?.bodyText.contains(#""code":\#(code)"#) == true)
        #expect(subscriptions.ids.isEmpty)
    }

    @Test func webSocketBatchesMayMixSubscribeAndCalls() throws {
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        let batch = #"[{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]},{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}]"#
        let body = try #require(send(batch, &subscriptions).response).body
        let elements = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(elements.first?["result"] as? String == subscriptions.ids.first)
        #expect(elements.last?["result"] as? String == "0x64")
    }
}
