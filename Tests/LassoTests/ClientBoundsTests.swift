import Foundation
import Testing
@testable import Lasso

/// Bounds one client must not be able to exhaust for everyone: what a method name costs in
/// replies, log lines and metric series, and how a batch answers a subscription it cannot serve.
@Suite struct ClientBoundsTests {
    typealias Fixture = RPCEndpointTests.Fixture

    @Test func aMegabyteMethodNameCostsAShortReplyAndAShortLogLineAndNoUpstreamCall() async throws {
        let fixture = try await Fixture()
        let method = String(repeating: "m", count: 1 << 20)
        let reply = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"\#(method)"}"#)
        #expect(reply.status == 200)
        #expect(reply.body == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: a method "#
            + #"name has at most 128 bytes, this one has 1048576"}}"#)
        #expect(fixture.upstream.sentTo.isEmpty)
        let line = try #require(fixture.lines.lines.last)
        #expect(line.utf8.count < 2_000, "the log line stays short: \(line.utf8.count) bytes")
        #expect(line.contains(#""jsonrpc_method":""# + String(repeating: "m", count: 128) + "…\""))
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "and valid JSON")
    }

    @Test func madeUpMethodNamesShareOneMetricSeriesAndLeaveRoomForRealOnes() async throws {
        let fixture = try await Fixture()
        for index in 0..<200 {
            _ = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"junk_\#(index)"}"#)
        }
        _ = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockReceipts","params":[]}"#)
        let series = fixture.counters.snapshot().requests
        #expect(Set(series.map(\.method)) == ["unknown", "eth_getBlockReceipts"])
        #expect(series.first { $0.method == "unknown" }.map { $0.successes + $0.errors } == 200)
        let text = String(decoding: fixture.metrics.handle().body, as: UTF8.self)
        #expect(!text.contains("junk_"))
    }

    @Test func aSubscriptionInsideABatchIsThatBatchsEntryWithItsID() async throws {
        let fixture = try await Fixture()
        let reply = await fixture.post("/rpc/ethereum", """
            [{"jsonrpc":"2.0","id":"s","method":"eth_subscribe","params":["newHeads"]},
             {"jsonrpc":"2.0","id":2,"method":"eth_chainId"},
             {"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["0x1"]},
             {"jsonrpc":"2.0","method":"eth_subscribe","params":["newHeads"]}]
            """)
        // Over HTTP each is referred to the WebSocket (a client WebSocket's batch gets -32600:
        // ClientWebSocketTests); this request has no Host header.
        #expect(reply.body == "[" + [
            #"{"jsonrpc":"2.0","id":"s","error":{"code":-32601,"message":"eth_subscribe is only available over WebSocket: connect to ws://<this host>/ws/rpc/ethereum"}}"#,
            #"{"jsonrpc":"2.0","id":2,"result":"alpha:eth_chainId"}"#,
            #"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"eth_unsubscribe is only available over WebSocket: connect to ws://<this host>/ws/rpc/ethereum"}}"#,
        ].joined(separator: ",") + "]")
        #expect(fixture.upstream.sentTo == ["alpha"], "only eth_chainId went upstream")
    }

    @Test func methodNamesAreShownCutOnAScalarBoundary() {
        #expect(JSONRPCMethodName.display("eth_chainId") == "eth_chainId")
        let exact = String(repeating: "a", count: 128)
        #expect(JSONRPCMethodName.display(exact) == exact)
        #expect(JSONRPCMethodName.display(exact + "b") == exact + "…")
        // 127 ASCII bytes then a two-byte scalar: it would end at byte 129, so it is left out.
        let shown = JSONRPCMethodName.display(String(repeating: "a", count: 127) + "éé")
        #expect(shown == String(repeating: "a", count: 127) + "…")
        #expect(JSONRPCMethodName.problem("eth_chainId") == nil && JSONRPCMethodName.problem(exact) == nil)
        #expect(JSONRPCMethodName.problem(exact + "b") != nil && JSONRPCMethodName.problem("a\tb") != nil)
        #expect(JSONRPCMethodName.problem("a\u{7F}") != nil)
    }
}
