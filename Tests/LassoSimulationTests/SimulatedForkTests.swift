import Supervision
import Synchronization
import Foundation
import Testing
import Lasso
@testable import LassoSimulation

/// Chain 1, head 100 at instant 0, one block per second; the fork replaces blocks from 103.
private let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)
private let fork = SimulatedFork(fromBlock: 103, salt: 1)
private let branch = chain.forked(fork)

private func at(_ milliseconds: UInt64) -> RuntimeInstant { RuntimeInstant(milliseconds: milliseconds) }

private func message(_ method: String, _ params: String) -> [UInt8] {
    Array(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#.utf8)
}

/// The `params.result` of a notification.
private func result(_ notification: SimulatedNotification) throws -> [String: Any] {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(notification.body)) as? [String: Any])
    let params = try #require(object["params"] as? [String: Any])
    return try #require(params["result"] as? [String: Any])
}

@Suite struct SimulatedForkTests {
    @Test func aForkHasNewHashesFromItsPointAndSharesTheBlocksBelow() {
        for number: UInt64 in [0, 50, 102] {
            #expect(branch.blockHash(number) == chain.blockHash(number))
            #expect(branch.block(number) == chain.block(number))
        }
        for number: UInt64 in [103, 104, 200] {
            #expect(branch.blockHash(number) != chain.blockHash(number), "same number, new hash")
            #expect(branch.block(number).parentHash == branch.blockHash(number - 1), "the branch is linked")
            #expect(branch.block(number).transactions.count == chain.block(number).transactions.count)
        }
        #expect(branch.block(103).parentHash == chain.blockHash(102), "it grows from the original block below the fork")
        #expect(chain.forked(SimulatedFork(fromBlock: 103, salt: 2)).blockHash(103) != branch.blockHash(103),
                "another salt, another fork")
        #expect(chain.forked(fork) == branch, "two providers given the same fork agree")
        #expect(branch.forked(nil) == chain)
    }

    @Test func blockHashesResolveOnlyOnTheirOwnView() {
        #expect(branch.blockNumber(forHash: branch.blockHash(104)) == 104)
        #expect(branch.blockNumber(forHash: chain.blockHash(102)) == 102, "shared blocks resolve on both")
        #expect(branch.blockNumber(forHash: chain.blockHash(104)) == nil, "an orphaned block is not on the branch")
        #expect(chain.blockNumber(forHash: branch.blockHash(104)) == nil, "nor a branch block on the original")
    }

    @Test func theBranchHoldsTheSameLogsInBlocksWithOtherHashes() throws {
        let original = chain.logs(inBlock: 104), moved = branch.logs(inBlock: 104)
        #expect(moved.count == original.count)
        for (old, new) in zip(original, moved) {
            #expect(new.transactionHash == old.transactionHash && new.logIndex == old.logIndex && new.data == old.data)
            #expect(new.blockHash == branch.blockHash(104) && old.blockHash == chain.blockHash(104))
        }
        var retracted = try #require(original.first)
        retracted.removed = true
        #expect(String(decoding: retracted.json, as: UTF8.self).hasSuffix(#""removed":true}"#))
    }

    @Test func divergenceIsTheFirstBlockTheViewsDisagreeOn() {
        #expect(chain.divergence(from: chain) == nil)
        #expect(chain.divergence(from: branch) == 103 && branch.divergence(from: chain) == 103)
        #expect(branch.divergence(from: chain.forked(SimulatedFork(fromBlock: 101, salt: 7))) == 101)
    }

    @Test func aProviderOnAForkAnswersFromTheBranch() {
        let provider = SimulatedProvider(id: "p", chain: chain)
        provider.fork = fork
        #expect(provider.fork == fork && provider.chain == branch)
        let reply = provider.handleHTTP(body: message("eth_getBlockByNumber", #"["0x68",false]"#), now: at(5_000))
        #expect(reply.response?.bodyText.contains(branch.blockHash(104)) == true)
        provider.fork = nil
        #expect(provider.handleHTTP(body: message("eth_getBlockByNumber", #"["0x68",false]"#), now: at(5_000))
            .response?.bodyText.contains(chain.blockHash(104)) == true)
    }

    @Test func newHeadsAcrossAReorgRepeatTheForkedNumbersWithNewHashes() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        var subscriptions = try #require(provider.acceptWebSocket())
        _ = provider.handleWebSocket(message: message("eth_subscribe", #"["newHeads"]"#), now: at(0), subscriptions: &subscriptions)
        #expect(provider.tick(&subscriptions, now: at(5_000)).map(\.blockNumber) == [101, 102, 103, 104, 105])
        provider.fork = fork
        let reorged = provider.tick(&subscriptions, now: at(6_000))
        #expect(reorged.map(\.blockNumber) == [103, 104, 105, 106])
        #expect(try reorged.map { try result($0)["hash"] as? String } == (103...106).map { branch.blockHash($0) })
        #expect(try result(reorged[0])["parentHash"] as? String == chain.blockHash(102))
        #expect(provider.tick(&subscriptions, now: at(7_000)).map(\.blockNumber) == [107], "then it goes on, once per block")
    }

    @Test func logsAcrossAReorgAreRetractedThenReplacedAsGethDoes() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        var subscriptions = try #require(provider.acceptWebSocket())
        let filter = #"{"address":"\#(SimulatedChain.logEmitters[0])"}"#
        _ = provider.handleWebSocket(message: message("eth_subscribe", #"["logs",\#(filter)]"#), now: at(0),
                                     subscriptions: &subscriptions)
        let matching = { (view: SimulatedChain, blocks: ClosedRange<UInt64>) in
            blocks.flatMap { view.logs(inBlock: $0) }.filter { $0.address == SimulatedChain.logEmitters[0] }
        }
        _ = provider.tick(&subscriptions, now: at(5_000))
        provider.fork = fork
        let notifications = provider.tick(&subscriptions, now: at(6_000))
        let orphaned = matching(chain, 103...105), replacement = matching(branch, 103...106)
        #expect(!orphaned.isEmpty, "the fixture's blocks have logs of this emitter")
        #expect(notifications.map(\.body) == (orphaned.map { var log = $0; log.removed = true; return log } + replacement)
            .map { NotificationEnvelope.wrap(result: $0.json, subscription: subscriptions.ids[0]) },
                "first every orphaned log with removed true, then the branch's logs")
    }

    @Test func aReorgBeyondWhatWasAnnouncedNeedsNoRetraction() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        var subscriptions = try #require(provider.acceptWebSocket())
        _ = provider.handleWebSocket(message: message("eth_subscribe", #"["logs"]"#), now: at(0), subscriptions: &subscriptions)
        _ = provider.tick(&subscriptions, now: at(2_000))          // announced through 102
        provider.fork = fork                                         // replaces 103 on: nothing announced there
        let next = provider.tick(&subscriptions, now: at(3_000))
        #expect(next.allSatisfy { (try? result($0)["removed"] as? Bool) == false })
        #expect(next.map(\.blockNumber).allSatisfy { $0 == 103 })
        #expect(next.compactMap { try? result($0)["blockHash"] as? String }.allSatisfy { $0 == branch.blockHash(103) })
    }

    @Test func aStalledProviderLosesTheRetractionsLikeAnyOtherEvent() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        var subscriptions = try #require(provider.acceptWebSocket())
        _ = provider.handleWebSocket(message: message("eth_subscribe", #"["logs"]"#), now: at(0), subscriptions: &subscriptions)
        _ = provider.tick(&subscriptions, now: at(5_000))
        provider.behavior = .stalledSubscription
        provider.fork = fork
        #expect(provider.tick(&subscriptions, now: at(6_000)).isEmpty)
        provider.behavior = .healthy
        let resumed = provider.tick(&subscriptions, now: at(7_000))
        #expect(resumed.map(\.blockNumber).allSatisfy { $0 == 107 }, "what was due while stalled is gone")
        #expect(resumed.compactMap { try? result($0)["blockHash"] as? String }.allSatisfy { $0 == branch.blockHash(107) })
    }

    @Test func aSubscriptionMadeOnTheBranchIsNotReorganisedByIt() throws {
        let provider = SimulatedProvider(id: "p", chain: chain)
        provider.fork = fork
        var subscriptions = try #require(provider.acceptWebSocket())
        _ = provider.handleWebSocket(message: message("eth_subscribe", #"["newHeads"]"#), now: at(5_000), subscriptions: &subscriptions)
        #expect(provider.tick(&subscriptions, now: at(6_000)).map(\.blockNumber) == [106])
        provider.fork = nil                                          // back to the original chain: a reorg again
        let back = provider.tick(&subscriptions, now: at(7_000))
        #expect(back.map(\.blockNumber) == [103, 104, 105, 106, 107])
        #expect(try back.map { try result($0)["hash"] as? String } == (103...107).map { chain.blockHash($0) })
    }
}

@Suite struct SimulatedSlowHTTPTests {
    @Test func slowHTTPDelaysOnlyHTTPAndReadsBackFromText() {
        let behavior = SimulatedProviderBehavior.slowHTTP(latencyMs: 800)
        #expect(behavior.decide(transport: .http) == .answer(delayMs: 800))
        #expect(behavior.decide(transport: .ws) == .answer(delayMs: 0))
        #expect(behavior.pushesSubscriptionEvents && behavior.acceptsConnections && !behavior.closesOpenConnections)
        #expect(behavior.description == "slow_http:800")
        #expect(SimulatedProviderBehavior(parsing: "slow_http:800") == behavior)
        #expect(SimulatedProviderBehavior(parsing: "Slow-HTTP") == .slowHTTP(latencyMs: 1_000))
        #expect(SimulatedProviderBehavior(parsing: "slow_http:fast") == nil)
    }

    @Test func everyObserverHearsEverySwitch() {
        let seen = Recorder()
        let provider = SimulatedProvider(id: "p", chain: chain) { seen.add("init \($0)") }
        provider.observeBehavior { seen.add("later \($0)") }
        provider.behavior = .killed
        provider.behavior = .healthy
        #expect(seen.values == ["init killed", "later killed", "init healthy", "later healthy"])
    }

    private final class Recorder: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ value: String) { list.withLock { $0.append(value) } }
        var values: [String] { list.withLock { $0 } }
    }
}
