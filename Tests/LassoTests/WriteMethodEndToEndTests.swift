import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import TestSupport

/// Writes over real sockets, through HTTP, batches and a client WebSocket: refused when the
/// chain disallows them (no provider sees one), and otherwise sent to exactly one provider
/// exactly once, even when that provider fails and a read would fail over. alpha has priority
/// 1, beta 2.
@Suite(.serialized) struct WriteMethodEndToEndTests {
    static let providers: [LassoHarness.Provider] = [.init(id: "alpha", fields: "priority: 1"),
                                                     .init(id: "beta", fields: "priority: 2")]
    /// The five that issue #9 found forwarded and retried with writes off, and the classic one.
    static let writes = ["eth_sendRawTransactionConditional", "eth_sendBundle", "eth_sendPrivateTransaction",
                         "eth_sendUserOperation", "eth_sendRawTransactionSync", "eth_sendRawTransaction"]

    static func request(_ method: String, id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":["0x02f8"]}"#
    }

    /// How many requests of every write method `id` received.
    static func writesSeen(_ harness: LassoHarness, _ id: String) -> Int {
        writes.reduce(0) { $0 + harness.count(id, $1) }
    }

    @Test func withWritesOffNoProviderEverSeesOne() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        for (id, method) in Self.writes.enumerated() {
            let answer = try await harness.post("/rpc/ethereum", Self.request(method, id: id))
            #expect(answer.hasPrefix(#"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32601,"message":"\#(method) is a write method"#),
                    "\(answer)")
        }
        let batch = try await harness.post("/rpc/ethereum", "[" + Self.request("eth_sendBundle", id: 10) + ","
                                           + #"{"jsonrpc":"2.0","id":11,"method":"eth_chainId"}"# + "]")
        #expect(batch.contains(#"{"jsonrpc":"2.0","id":10,"error":{"code":-32601"#)
                && batch.contains(#"{"jsonrpc":"2.0","id":11,"result":"0x1"}"#), "\(batch)")
        let socket = try TestWebSocket(loop: harness.loop, port: harness.app.port, path: "/ws/rpc/ethereum")
        try await socket.connected()
        socket.send(Self.request("eth_sendUserOperation", id: 12))
        #expect(try await socket.reply(id: "12").contains("-32601"))
        socket.close()
        #expect(Self.writesSeen(harness, "alpha") == 0 && Self.writesSeen(harness, "beta") == 0)
        await harness.shutdown()
    }

    /// Each way alpha fails; a read in the same state fails over to beta, a write never does.
    /// (After a 429, alpha cools down, so later writes go to beta: still one provider each.)
    @Test(arguments: [
        SimulatedProviderBehavior.erroring(.httpServerError),   // HTTP 500
        .erroring(.internalError),                             // HTTP 200, JSON-RPC -32603
        .rateLimited(retryAfterSeconds: 1),                    // HTTP 429
        .killed,                                               // the connection dropped, no answer
    ])
    func withWritesOnAWriteReachesOneProviderOnceEvenWhenItFails(_ behavior: SimulatedProviderBehavior) async throws {
        let harness = try await LassoHarness(providers: Self.providers, chainSettings: "allow_write_methods: true")
        // The first health probes go before alpha fails (the next ones are 12 s away), so no
        // probe cools alpha down and the first write goes to alpha.
        try await harness.waitUntilProbed()
        harness.provider("alpha").behavior = behavior
        // Over HTTP, inside a batch and over a client WebSocket: each write once, to alpha only.
        let single = try await harness.post("/rpc/ethereum", Self.request("eth_sendBundle", id: 1))
        #expect(single.hasPrefix(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000"#), "\(behavior): \(single)")
        #expect(single.contains("may have been broadcast"))
        let batch = try await harness.post("/rpc/ethereum", "[" + Self.request("eth_sendRawTransaction", id: 2) + ","
                                           + #"{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}"# + "]")
        #expect(batch.contains(#"{"jsonrpc":"2.0","id":2,"error":{"code":"#), "\(behavior): \(batch)")
        #expect(batch.contains(#"{"jsonrpc":"2.0","id":3,"result":"0x1"}"#), "the read in the batch failed over to beta")
        let socket = try TestWebSocket(loop: harness.loop, port: harness.app.port, path: "/ws/rpc/ethereum")
        try await socket.connected()
        socket.send(Self.request("eth_sendUserOperation", id: 4))
        #expect(try await socket.reply(id: "4").contains(#""error""#))
        socket.close()
        #expect(harness.count("alpha", "eth_sendBundle") == 1 && harness.count("beta", "eth_sendBundle") == 0,
                "\(behavior): the failed write was not retried on beta")
        for method in ["eth_sendRawTransaction", "eth_sendUserOperation"] {
            #expect(harness.count("alpha", method) + harness.count("beta", method) == 1, "\(behavior): \(method) sent once")
        }
        await harness.shutdown()
    }
}
