import Testing
@testable import Lasso
import Supervision

/// Issue #9 item 7, as reported: 70 distinct made-up methods, then five requests with a 1 MB
/// method name, opened every WebSocket breaker of a chain (each echo was over 1 MiB, so the
/// socket closed with 1009 and the request counted as the provider's fault). One client must
/// not be able to do that.
@Suite(.serialized) struct WebSocketProviderProtectionTests {
    @Test func madeUpMethodsAndHugeNamesLeaveTheWebSocketProviderServing() async throws {
        let stack = try await TreeControlStack()
        #expect(await stack.waitForAlphaWebSocket())
        // Every HTTP channel out: ethereum's requests can only go over alpha's WebSocket.
        for provider in ["alpha", "beta"] {
            _ = try await stack.control.breaker(chain: "ethereum", provider: provider, transport: .http, action: .open)
        }
        let url = "http://127.0.0.1:\(stack.app.port)/rpc/ethereum"
        for index in 0..<70 {
            let body = #"{"jsonrpc":"2.0","id":\#(index),"method":"junk_\#(index)"}"#
            let answer = String(decoding: try await stack.client.post(url, body: Array(body.utf8)).body, as: UTF8.self)
            #expect(answer.contains(#""code":-32601"#), "\(answer.prefix(200))")
        }
        let huge = String(repeating: "m", count: 1_000_000)
        for index in 0..<5 {
            let body = #"{"jsonrpc":"2.0","id":\#(index),"method":"\#(huge)"}"#
            let answer = String(decoding: try await stack.client.post(url, body: Array(body.utf8)).body, as: UTF8.self)
            #expect(answer.utf8.count < 200 && answer.contains("at most 128 bytes"), "\(answer.prefix(200))")
        }
        #expect(stack.alpha.provider.requestCounts.keys.allSatisfy { $0.utf8.count <= 128 }, "no huge name went upstream")
        let breaker = stack.app.services.breakers.breaker(chain: "ethereum", channel: Channel(providerID: "alpha", transport: .ws))
        guard let state = try await breaker?.call(.status).state else {
            Issue.record("no answer from alpha's WebSocket breaker")
            return
        }
        #expect(state == .closed(consecutiveFailures: 0))
        // And alpha's WebSocket still answers.
        #expect(try await stack.chainID("ethereum") == TreeControlStack.expectedChainID(1))
        await stack.shutdown()
    }
}
