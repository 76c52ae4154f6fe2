import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

@Suite struct SubscriptionKeyTests {
    static let emitter = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    static let topic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    func parse(_ params: String) throws(SubscriptionKey.InvalidParams) -> SubscriptionKey {
        try SubscriptionKey.parse(params: Array(params.utf8))
    }

    @Test func equivalentFiltersShareOneKey() throws {
        let plain = try parse(#"["logs",{"address":"\#(Self.emitter)","topics":["\#(Self.topic)"]}]"#)
        let spelledOtherwise = try parse(#"["logs",{"topics":[["\#(Self.topic.uppercased().replacingOccurrences(of: "0X", with: "0x"))"],null,null],"address":["\#(Self.emitter.uppercased().replacingOccurrences(of: "0X", with: "0x"))","\#(Self.emitter)"]}]"#)
        #expect(plain == spelledOtherwise)
        #expect(plain.upstreamParams == #"["logs",{"address":["\#(Self.emitter)"],"topics":[["\#(Self.topic)"]]}]"#)
        #expect(try parse(#"["newHeads"]"#) == SubscriptionKey(kind: .newHeads))
        #expect(try parse(#"["logs"]"#) == parse(#"["logs",{}]"#))
        #expect(try parse(#"["logs"]"#).upstreamParams == #"["logs"]"#)
    }

    @Test func badParamsAreRefusedWithTheReason() {
        func message(_ params: String?) -> String? {
            do {
                _ = try SubscriptionKey.parse(params: params.map { Array($0.utf8) })
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message(nil) == "missing value for required argument 0")
        #expect(message("[]") == "missing value for required argument 0")
        #expect(message("[1]") == "invalid argument 0: subscription name must be a string")
        #expect(message(#"["newPendingTransactions"]"#)
            == #"invalid argument 0: unsupported subscription "newPendingTransactions"; lassod multiplexes newHeads and logs"#)
        #expect(message(#"["newHeads",{}]"#) == "too many arguments, want at most 1")
        #expect(message(#"["logs",{"address":"0x12"}]"#)
            == #"invalid argument 1: address must be 0x and 40 hex digits, not "0x12""#)
        #expect(message(#"["logs",{"fromBlock":"0x1"}]"#)
            == #"invalid argument 1: unsupported filter field "fromBlock"; a logs subscription takes address and topics"#)
        #expect(message(#"["logs",{"topics":[1]}]"#) == "invalid argument 1: a topic must be a string, null or a list")
        #expect(message(#"["logs",[]]"#) == "invalid argument 1: filter must be an object with address and topics")
    }

    @Test func aNullAmongTopicAlternativesMatchesAnything() throws {
        let other = "0x" + String(repeating: "ab", count: 32)
        let wildcard = try parse(#"["logs",{"topics":[[null,"\#(Self.topic)"],["\#(other)"]]}]"#)
        #expect(wildcard.upstreamParams == #"["logs",{"topics":[null,["\#(other)"]]}]"#)
        #expect(wildcard == (try parse(#"["logs",{"topics":[null,"\#(other)"]}]"#)))
        #expect(try parse(#"["logs",{"topics":[["\#(Self.topic)",null]]}]"#) == parse(#"["logs"]"#))
        #expect(try parse(#"["logs",{"topics":[[]]}]"#) == parse(#"["logs"]"#))
    }

    @Test func aFilterListsAtMostAThousandAddressesAndAlternatives() throws {
        func addresses(_ count: Int) -> String {
            (0..<count).map { "\"0x" + String(repeating: "0", count: 32) + String(format: "%08x", $0) + "\"" }
                .joined(separator: ",")
        }
        func topics(_ count: Int) -> String {
            (0..<count).map { "\"0x" + String(repeating: "0", count: 56) + String(format: "%08x", $0) + "\"" }
                .joined(separator: ",")
        }
        let limit = SubscriptionKey.maxFilterValues
        #expect(try parse(#"["logs",{"address":[\#(addresses(limit))],"topics":[null,[\#(topics(limit))]]}]"#)
            .filter.count > 100_000)
        #expect(throws: SubscriptionKey.InvalidParams(message: "invalid argument 1: at most 1000 addresses in a filter, not 1001")) {
            try parse(#"["logs",{"address":[\#(addresses(limit + 1))]}]"#)
        }
        #expect(throws: SubscriptionKey.InvalidParams(message: "invalid argument 1: at most 1000 alternatives in topic position 1, not 1001")) {
            try parse(#"["logs",{"topics":[null,[\#(topics(limit + 1))]]}]"#)
        }
    }
}

@Suite struct SubscriptionNotificationTests {
    @Test func findsAndReaddressesOnlyTheSubscriptionField() throws {
        let upstream = Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"result":{"subscription":"0xinner"},"subscription":"0xabc"}}"#.utf8)
        let found = try #require(SubscriptionNotification.scan(upstream))
        #expect(found.subscription == "0xabc")
        let copy = SubscriptionNotification.readdress(upstream, at: found.range, to: "0x01")
        #expect(String(decoding: copy, as: UTF8.self)
            == #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"result":{"subscription":"0xinner"},"subscription":"0x01"}}"#)
    }

    @Test func ignoresEverythingElse() {
        for text in [#"{"jsonrpc":"2.0","id":1,"result":"0xabc"}"#,
                     #"{"jsonrpc":"2.0","method":"eth_other","params":{"subscription":"0xabc"}}"#,
                     #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":7}}"#,
                     #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xabc""#] {
            #expect(SubscriptionNotification.scan(Array(text.utf8)) == nil, "\(text)")
        }
    }
}

/// lassod's client WebSocket endpoint in front of simulated providers that push real
/// `eth_subscription` events, over loopback.
@Suite(.serialized) struct ClientWebSocketTests {
    final class Stack: Sendable {
        let loop: EventLoop
        let alpha: SimulatedProviderServer
        let beta: SimulatedProviderServer
        let app: LassoApplication

        /// lassod's log lines.
        let logs = MemorySink()

        /// Two providers with WebSockets (alpha preferred), a block every `blockIntervalMs`.
        init(webSockets: Bool = true, blockIntervalMs: UInt64 = 150, server: String = "") async throws {
            loop = try EventLoop()
            let chain = SimulatedChain(chainID: 1, blockIntervalMs: blockIntervalMs)
            alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
            beta = try SimulatedProviderServer(provider: SimulatedProvider(id: "beta", chain: chain), loop: loop)
            func ws(_ server: SimulatedProviderServer) -> String {
                webSockets ? #", ws_url: "\#(server.webSocketURL)""# : ""
            }
            let config = try LassoConfig.parse(yaml: """
                \(server)
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                      - {id: alpha, priority: 1, url: "\(alpha.url)"\(ws(alpha))}
                      - {id: beta, priority: 2, url: "\(beta.url)"\(ws(beta))}
                """, environment: [:])
            app = try await LassoApplication.start(config: config, runtime: Runtime(), sink: logs, port: 0)
            guard webSockets else { return }
            let board = try #require(app.services.directory.board(for: "ethereum"))
            try #require(await waitFor { board.snapshot.providers.allSatisfy { $0.ws != nil } }, "both ws channels up")
        }

        func socket(_ path: String = "/ws/rpc/ethereum") async throws -> TestWebSocket {
            let socket = try TestWebSocket(loop: loop, port: app.port, path: path)
            try await socket.connected()
            return socket
        }

        var pool: ServerRef<UpstreamSubscriptionPool>? {
            UpstreamSubscriptionPool.running(chain: "ethereum", names: app.services.names)
        }

        var registry: ServerRef<ClientSubscriptionRegistry>? {
            ClientSubscriptionRegistry.running(chain: "ethereum", names: app.services.names)
        }

        func shutdown() async {
            await app.stop()
            alpha.stop()
            beta.stop()
            loop.stop()
        }
    }

    @Test func unaryRequestsAndBatchesGoThroughThePipeline() async throws {
        let stack = try await Stack()
        let socket = try await stack.socket("/ws/rpc/1")
        socket.send(#"{"jsonrpc":"2.0","id":"u1","method":"eth_chainId"}"#)
        #expect(try await socket.reply(id: #""u1""#) == #"{"jsonrpc":"2.0","id":"u1","result":"0x1"}"#)
        // Logged as a request that came over WebSocket, not HTTP.
        try #require(await waitFor {
            stack.logs.lines.contains { $0.contains(#""event":"rpc.request.completed""#) }
        }, "the request's log line")
        #expect(stack.logs.lines.filter { $0.contains(#""event":"rpc.request.completed""#) }
            .allSatisfy { $0.contains(#""transport":"ws""#) })
        socket.send(#"[{"jsonrpc":"2.0","id":2,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},"#
                    + #"{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}]"#)
        #expect(try await socket.message("batch") { $0.hasPrefix("[") }
            == #"[{"jsonrpc":"2.0","id":2,"result":"0x1"},{"jsonrpc":"2.0","id":3,"result":"0x1"}]"#)
        socket.send("{not json")
        #expect(try await socket.message("parse error") { $0.contains("-32700") }.contains(#""id":null"#))
        // A subscription inside a batch is that batch's entry, with its id; the rest is routed.
        socket.send(#"[{"jsonrpc":"2.0","id":4,"method":"eth_subscribe","params":["newHeads"]},"#
                    + #"{"jsonrpc":"2.0","id":5,"method":"eth_chainId"}]"#)
        #expect(try await socket.message("batched subscribe") { $0.contains("cannot be batched") }
            == #"[{"jsonrpc":"2.0","id":4,"error":{"code":-32600,"message":"Invalid Request: eth_subscribe cannot be "#
            + #"batched; send it alone over a WebSocket (/ws/rpc/:chain)"}},{"jsonrpc":"2.0","id":5,"result":"0x1"}]"#)
        #expect(stack.alpha.subscriptionCount == 0)
        socket.close()
        await stack.shutdown()
    }

    @Test func anUnknownChainGetsAnErrorAndTheSocketClosed() async throws {
        let stack = try await Stack(webSockets: false)
        let socket = try await stack.socket("/ws/rpc/nochain")
        #expect(try await socket.message("error") { _ in true }
            == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"unknown chain: nochain"}}"#)
        try await socket.wait("close") { $0.disconnects.first }
        #expect(socket.disconnects.first == .closed(ClientWebSocketEndpoint.unknownEndpoint))
        socket.close()
        await stack.shutdown()
    }

    @Test func clientsShareOneUpstreamSubscriptionAndKeepTheirOwnIDs() async throws {
        let stack = try await Stack()
        let first = try await stack.socket()
        let second = try await stack.socket()
        // Both ask before either is confirmed: the second waits for the same upstream confirmation.
        first.send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)
        second.send(#"{"jsonrpc":"2.0","id":"s","method":"eth_subscribe","params":["newHeads"]}"#)
        let firstID = try #require(TestWebSocket.object(try await first.reply(id: "1"))?["result"] as? String)
        let secondID = try #require(TestWebSocket.object(try await second.reply(id: #""s""#))?["result"] as? String)
        #expect(firstID != secondID && firstID.hasPrefix("0x") && firstID.count == 34)
        #expect(stack.alpha.provider.requestCounts["eth_subscribe"] == 1)
        #expect(stack.alpha.subscriptionCount == 1 && stack.beta.subscriptionCount == 0)
        let status = try #require(try await stack.pool?.call(.status))
        #expect(status.count == 1 && status.first?.provider == "alpha" && status.first?.clients == 2)

        // The same blocks reach both, each under its own id, byte for byte otherwise.
        let received = try await second.notifications(for: secondID, atLeast: 2)
        try await first.notifications(for: firstID, atLeast: 2)
        let block = try #require(received.last.flatMap(TestWebSocket.blockNumber))
        let secondText = try #require(second.messages.first { $0.contains(secondID) && $0.contains(#""number":"0x\#(String(block, radix: 16))""#) })
        let firstText = try await first.message("block \(block)") {
            $0.contains(firstID) && $0.contains(#""number":"0x\#(String(block, radix: 16))""#)
        }
        #expect(firstText == secondText.replacingOccurrences(of: secondID, with: firstID))

        // A third subscriber of a live key is confirmed at once, with no new upstream request.
        let third = try await stack.socket()
        _ = try await third.subscribe(id: 9, params: #"["newHeads"]"#)
        #expect(stack.alpha.provider.requestCounts["eth_subscribe"] == 1)
        third.close()

        // Unsubscribing one leaves the other receiving; another connection cannot cancel it.
        second.send(#"{"jsonrpc":"2.0","id":2,"method":"eth_unsubscribe","params":["\#(firstID)"]}"#)
        #expect(try await second.reply(id: "2") == #"{"jsonrpc":"2.0","id":2,"result":false}"#)
        second.send(#"{"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["\#(secondID)"]}"#)
        #expect(try await second.reply(id: "3") == #"{"jsonrpc":"2.0","id":3,"result":true}"#)
        let before = first.notifications(for: firstID).count
        try await first.notifications(for: firstID, atLeast: before + 2)
        let secondCount = second.notifications(for: secondID).count
        #expect(stack.alpha.subscriptionCount == 1)

        // The last one out unsubscribes upstream.
        first.send(#"{"jsonrpc":"2.0","id":4,"method":"eth_unsubscribe","params":["\#(firstID)"]}"#)
        #expect(try await first.reply(id: "4") == #"{"jsonrpc":"2.0","id":4,"result":true}"#)
        try #require(await waitFor { stack.alpha.subscriptionCount == 0 }, "upstream unsubscribed")
        #expect(stack.alpha.provider.requestCounts["eth_unsubscribe"] == 1)
        #expect(try await stack.pool?.call(.status).isEmpty == true)
        #expect(second.notifications(for: secondID).count <= secondCount + 1, "at most one event was already in flight")

        first.close()
        second.close()
        await stack.shutdown()
    }

    @Test func aClosedClientSocketLeavesNoSubscriptionBehind() async throws {
        let stack = try await Stack()
        let socket = try await stack.socket()
        _ = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.subscribe(id: 2, params: #"["logs"]"#)
        // Two keys; the newHeads key is also the logs key's liveness feed on alpha.
        try #require(await waitFor { stack.alpha.subscriptionCount == 2 }, "two keys upstream")
        #expect(try await stack.registry?.call(.subscriptions(nil)).count == 2)
        socket.close()
        try #require(try await waitFor { try await stack.registry?.call(.subscriptions(nil)).isEmpty == true }, "registry empty")
        try #require(await waitFor { stack.alpha.subscriptionCount == 0 }, "upstream unsubscribed")
        // Every upstream subscription made (the keys, and a liveness feed if the logs key was
        // sent before the newHeads key was confirmed) was unsubscribed once.
        #expect(stack.alpha.provider.requestCounts["eth_unsubscribe"] == stack.alpha.provider.requestCounts["eth_subscribe"])
        await stack.shutdown()
    }

    @Test func aKilledProviderIsReplacedAndClientsKeepTheirIDs() async throws {
        let stack = try await Stack()
        let first = try await stack.socket()
        let second = try await stack.socket()
        let firstID = try await first.subscribe(id: 1, params: #"["newHeads"]"#)
        let secondID = try await second.subscribe(id: 1, params: #"["newHeads"]"#)
        let beforeKill = try await first.notifications(for: firstID, atLeast: 1)
        let lastBefore = try #require(beforeKill.last.flatMap(TestWebSocket.blockNumber))
        #expect(stack.alpha.subscriptionCount == 1 && stack.beta.subscriptionCount == 0)

        stack.alpha.stop()
        try #require(await waitFor { stack.beta.subscriptionCount == 1 }, "moved to beta")
        #expect(stack.beta.provider.requestCounts["eth_subscribe"] == 1)
        for (socket, id) in [(first, firstID), (second, secondID)] {
            let later = try await socket.wait("a block after the switch", timeout: .seconds(15)) { recorded in
                TestWebSocket.notifications(for: id, in: recorded.messages)
                    .compactMap(TestWebSocket.blockNumber).first { $0 > lastBefore + 1 }
            }
            #expect(later > lastBefore)
        }
        let status = try #require(try await stack.pool?.call(.status))
        #expect(status.first?.provider == "beta" && status.first?.clients == 2)
        first.close()
        second.close()
        await stack.shutdown()
    }

    @Test func withItsOnlyProviderGoneASubscriptionWaitsAndResumesOnReconnect() async throws {
        let loop = try EventLoop()
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 150)
        let alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "\(alpha.url)", ws_url: "\(alpha.webSocketURL)"}
            """, environment: [:])
        let app = try await LassoApplication.start(config: config, runtime: Runtime(), sink: MemorySink(), port: 0)
        let board = try #require(app.services.directory.board(for: "ethereum"))
        let pool = try #require(UpstreamSubscriptionPool.running(chain: "ethereum", names: app.services.names))
        try #require(await waitFor { board.snapshot.providers.first?.ws != nil }, "ws up")
        let socket = try TestWebSocket(loop: loop, port: app.port, path: "/ws/rpc/ethereum")
        try await socket.connected()
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        let lastBefore = try #require(try await socket.notifications(for: id, atLeast: 1).last.flatMap(TestWebSocket.blockNumber))

        // The provider goes down: its socket closes and reconnects are refused.
        alpha.provider.behavior = .down
        alpha.dropWebSockets()
        try #require(try await waitFor {
            try await pool.call(.status).first.map { $0.provider == nil && $0.upstreamID == nil && $0.clients == 1 } == true
        }, "the subscription lost its provider")
        // Meanwhile a new subscriber is told there is no provider; the waiting one stays.
        socket.send(#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["logs"]}"#)
        #expect(try await socket.reply(id: "2").hasPrefix(#"{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"no WebSocket provider"#))

        alpha.provider.behavior = .healthy
        try #require(await waitFor { alpha.subscriptionCount == 1 }, "re-subscribed on the reconnected provider")
        let later = try await socket.wait("a block after the reconnect", timeout: .seconds(15)) { recorded in
            TestWebSocket.notifications(for: id, in: recorded.messages)
                .compactMap(TestWebSocket.blockNumber).first { $0 > lastBefore + 1 }
        }
        #expect(later > lastBefore)
        // The first subscribe, the one after the reconnect, and one per reconnect attempt that
        // reached a socket alpha accepted and then dropped while down (the provider counts each):
        // how many depends on timing. What must hold: exactly one upstream subscription is live.
        #expect(alpha.provider.requestCounts["eth_subscribe"] ?? 0 >= 2)
        #expect(alpha.subscriptionCount == 1)
        #expect(try await pool.call(.status).first?.provider == "alpha")
        socket.close()
        await app.stop()
        alpha.stop()
        loop.stop()
    }

    @Test func logsSubscriptionsFollowTheirFilter() async throws {
        let stack = try await Stack()
        let emitter = SimulatedChain.logEmitters[0]
        let socket = try await stack.socket()
        let id = try await socket.subscribe(id: 1, params: #"["logs",{"address":"\#(emitter)"}]"#)
        // The same filter spelled differently shares the upstream subscription.
        let other = try await socket.subscribe(id: 2, params: #"["logs",{"address":["\#(emitter.uppercased().replacingOccurrences(of: "0X", with: "0x"))"],"topics":[]}]"#)
        #expect(id != other)
        #expect(try await stack.pool?.call(.status).count == 1, "one key")
        #expect(await waitFor { stack.alpha.subscriptionCount == 2 }, "its upstream subscription and alpha's liveness feed")
        let logs = try await socket.notifications(for: id, atLeast: 3)
        #expect(logs.allSatisfy { $0["address"] as? String == emitter })
        let otherLogs = try await socket.notifications(for: other, atLeast: 1)
        #expect(otherLogs.allSatisfy { $0["address"] as? String == emitter })
        socket.close()
        await stack.shutdown()
    }

    @Test func aClientThatStopsReadingIsCutOffWithoutSlowingTheOthers() async throws {
        let stack = try await Stack(blockIntervalMs: 10, server: "server: {websocket_max_queued_bytes: 32768}")
        let fast = try await stack.socket()
        let fastID = try await fast.subscribe(id: 1, params: #"["newHeads"]"#)
        // Twenty subscriptions make the stalled client owed twenty times the fast one's traffic.
        // It upgrades, subscribes, then never reads; its receive buffer is shrunk first, so the
        // kernel absorbs little of what lassod sends.
        let stalled = try #require(RawSocket(port: stack.app.port, receiveBuffer: 4_096))
        #expect(await stalled.upgrade(path: "/ws/rpc/ethereum"))
        for id in 1...20 { stalled.sendText(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_subscribe","params":["newHeads"]}"#) }
        try #require(try await waitFor {
            try await stack.registry?.call(.subscriptions(nil)).count == 21
        }, "the stalled client subscribed")
        try #require(try await waitFor(within: .seconds(30)) {
            try await stack.registry?.call(.subscriptions(nil)) == [fastID]
        }, "the stalled client cut off")
        // Meanwhile the reading client got every block, in order, without a gap.
        let numbers = fast.notifications(for: fastID).compactMap(TestWebSocket.blockNumber)
        let first = try #require(numbers.first)
        #expect(numbers.count > 20)
        #expect(numbers == Array(first..<first + UInt64(numbers.count)))
        try await fast.notifications(for: fastID, atLeast: numbers.count + 5)
        withExtendedLifetime(stalled) {}
        fast.close()
        await stack.shutdown()
    }

    @Test func badParamsGetPreciseErrors() async throws {
        let stack = try await Stack()
        let socket = try await stack.socket()
        socket.send(#"{"jsonrpc":"2.0","id":5,"method":"eth_subscribe","params":["newPendingTransactions"]}"#)
        #expect(try await socket.reply(id: "5") == #"{"jsonrpc":"2.0","id":5,"error":{"code":-32602,"#
            + #""message":"invalid argument 0: unsupported subscription \"newPendingTransactions\"; lassod multiplexes newHeads and logs"}}"#)
        socket.send(#"{"jsonrpc":"2.0","id":6,"method":"eth_subscribe","params":["logs",{"address":"0xnothex"}]}"#)
        #expect(try await socket.reply(id: "6") == #"{"jsonrpc":"2.0","id":6,"error":{"code":-32602,"#
            + #""message":"invalid argument 1: address must be 0x and 40 hex digits, not \"0xnothex\""}}"#)
        socket.send(#"{"jsonrpc":"2.0","id":7,"method":"eth_unsubscribe","params":[]}"#)
        #expect(try await socket.reply(id: "7") == #"{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"#
            + #""message":"invalid argument 0: eth_unsubscribe takes [subscription id]"}}"#)
        socket.send(#"{"jsonrpc":"2.0","method":"eth_subscribe","params":["newHeads"]}"#)
        #expect(try await socket.message("notification subscribe") { $0.contains("needs an id") }
            == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: eth_subscribe needs an id, its reply carries the subscription"}}"#)
        #expect(stack.alpha.provider.requestCounts["eth_subscribe"] == nil)
        socket.close()
        await stack.shutdown()
    }

    @Test func pipelinedRequestsAreAllAnswered() async throws {
        let stack = try await Stack()
        let socket = try await stack.socket()
        // Sent back to back, many arrive in one read: each must reach the pipeline.
        for id in 1...50 { socket.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#) }
        let replies = try await socket.wait("50 replies") { $0.messages.count >= 50 ? $0.messages : nil }
        #expect(Set(replies) == Set((1...50).map { #"{"jsonrpc":"2.0","id":\#($0),"result":"0x1"}"# }))
        socket.close()
        await stack.shutdown()
    }

    @Test func aConnectionHasAtMostAHundredRequestsInFlight() async throws {
        let stack = try await Stack()
        // Slow upstreams keep the admitted requests in flight while the rest arrive.
        stack.alpha.provider.behavior = .slow(latencyMs: 1_000)
        stack.beta.provider.behavior = .slow(latencyMs: 1_000)
        let socket = try await stack.socket()
        let limit = ClientWebSocketEndpoint.maxInFlight
        for id in 1...limit { socket.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_blockNumber"}"#) }
        socket.send(#"{"jsonrpc":"2.0","id":"over","method":"eth_blockNumber"}"#)
        socket.send(#"[{"jsonrpc":"2.0","id":"b1","method":"eth_blockNumber"},{"jsonrpc":"2.0","method":"eth_chainId"}]"#)
        socket.send(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#)
        let message = "too many requests in flight on this connection (at most \(limit)); wait for replies"
        #expect(try await socket.reply(id: #""over""#)
            == #"{"jsonrpc":"2.0","id":"over","error":{"code":-32005,"message":"\#(message)"}}"#)
        #expect(try await socket.message("batch refused") { $0.hasPrefix("[") }
            == #"[{"jsonrpc":"2.0","id":"b1","error":{"code":-32005,"message":"\#(message)"}}]"#)
        // Each admitted request is answered, and then the connection takes requests again.
        try await socket.wait("every admitted reply", timeout: .seconds(30)) { recorded in
            recorded.messages.filter { $0.contains(#""result""#) }.count == limit ? true : nil
        }
        #expect(socket.messages.count == limit + 2, "the refused notification got no reply")
        stack.alpha.provider.behavior = .healthy
        socket.send(#"{"jsonrpc":"2.0","id":"after","method":"eth_chainId"}"#)
        #expect(try await socket.reply(id: #""after""#) == #"{"jsonrpc":"2.0","id":"after","result":"0x1"}"#)
        socket.close()
        await stack.shutdown()
    }

    @Test func aSubscribeIDLongerThan128BytesIsRefused() async throws {
        let stack = try await Stack()
        let socket = try await stack.socket()
        let long = "\"" + String(repeating: "x", count: 127) + "\""
        socket.send(#"{"jsonrpc":"2.0","id":\#(long),"method":"eth_subscribe","params":["newHeads"]}"#)
        #expect(try await socket.message("refusal") { $0.contains("-32600") }
            == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: an eth_subscribe id may take at most 128 bytes"}}"#)
        let fits = "\"" + String(repeating: "x", count: 126) + "\""
        socket.send(#"{"jsonrpc":"2.0","id":\#(fits),"method":"eth_subscribe","params":["newHeads"]}"#)
        #expect(try await socket.reply(id: fits).contains(#""result":"0x"#))
        socket.close()
        await stack.shutdown()
    }

    @Test func withoutAWebSocketProviderSubscribingFails() async throws {
        let stack = try await Stack(webSockets: false)
        let socket = try await stack.socket()
        socket.send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)
        #expect(try await socket.reply(id: "1") == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"#
            + #""message":"no WebSocket provider is connected for chain ethereum; subscriptions need one"}}"#)
        #expect(try await stack.registry?.call(.subscriptions(nil)).isEmpty == true)
        #expect(try await stack.pool?.call(.status).isEmpty == true)
        socket.close()
        await stack.shutdown()
    }
}

@Suite struct SubscriptionPlacementTests {
    @Test func onlyConnectedEligibleWebSocketsInPriorityOrderMinusTheTriedOnes() throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, priority: 3, url: "http://127.0.0.1:1", ws_url: "ws://127.0.0.1:1"}
                  - {id: beta, priority: 1, url: "http://127.0.0.1:2", ws_url: "ws://127.0.0.1:2"}
                  - {id: gamma, priority: 2, url: "http://127.0.0.1:3", ws_url: "ws://127.0.0.1:3"}
                  - {id: delta, priority: 0, url: "http://127.0.0.1:4"}
            """, environment: [:])
        let board = ChainStateBoard(chain: try #require(config.chain(named: "ethereum")))
        let place = { SubscriptionPlacement.providers(board.snapshot, now: .zero, excluding: $0) }
        #expect(place([]).isEmpty, "no WebSocket is connected yet")
        for provider in ["alpha", "beta", "gamma"] { board.publish(webSocketConnected: true, provider: provider) }
        #expect(place([]) == ["beta", "gamma", "alpha"])
        #expect(place(["beta"]) == ["gamma", "alpha"])
        board.publish(health: ChannelHealth(phase: .open), provider: "gamma", transport: .ws)
        board.publish(webSocketConnected: false, provider: "alpha")
        #expect(place([]) == ["beta"])
    }
}

@Suite struct UpstreamSubscriptionPoolTests {
    @Test func readsWhatAnUpstreamSaidToEthSubscribe() {
        func read(_ text: String) -> UpstreamSubscriptionPool.Answer {
            UpstreamSubscriptionPool.read(.response(status: nil, retryAfter: nil, body: Array(text.utf8)))
        }
        #expect(read(#"{"jsonrpc":"2.0","id":4,"result":"0xabc"}"#) == .subscribed("0xabc"))
        #expect(read(#"{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid argument 1: bad"}}"#)
            == .refused(code: -32602, message: "invalid argument 1: bad"))
        #expect(read(#"{"jsonrpc":"2.0","id":4,"result":7}"#) == .failed)
        #expect(read("not json") == .failed)
        #expect(UpstreamSubscriptionPool.read(.failure(.timeout)) == .failed)
    }
}
