import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// Issue #9 item 1: a provider's WebSocket message over 1 MiB corrupted the heap and killed
/// lassod, with or without a client. lassod now takes upstream messages up to 64 MiB, and
/// whatever a provider sends, it keeps serving.
@Suite(.serialized) struct HostileProviderEndToEndTests {
    @Test func unsolicitedAndRequestedMessagesOverAMebibyteLeaveLassodServing() async throws {
        let big = String(repeating: "a", count: 1_100_000)
        let provider = try #require(ScriptedServer { connection, _ in
            guard connection.acceptWebSocket() else { return }
            // Unsolicited, right after the upgrade, with no client around.
            connection.send(RawSocket.serverFrame(opcode: 0x1, payload: Array(#"{"jsonrpc":"2.0","method":"spam","params":"\#(big)"}"#.utf8)))
            // Then each request is answered with a result over 1 MiB, under lassod's own id.
            while let frame = connection.readFrame(), frame.opcode == 0x1 {
                let text = String(decoding: frame.payload, as: UTF8.self)
                guard let range = text.range(of: #""id":"#) else { continue }
                let id = text[range.upperBound...].prefix { $0.isNumber }
                connection.send(RawSocket.serverFrame(opcode: 0x1, payload: Array(#"{"jsonrpc":"2.0","id":\#(id),"result":"\#(big)"}"#.utf8)))
            }
        })
        // alpha's HTTP endpoint is down, so requests go to its WebSocket.
        let harness = try await LassoHarness(providers: [.init(id: "alpha", fields: #"ws_url: "ws://127.0.0.1:\#(provider.port)/""#)])
        harness.provider("alpha").behavior = .down
        #expect(await waitFor { provider.accepted >= 1 })
        var answer = ""
        let answered = try await waitFor {
            answer = try await harness.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":"big","method":"eth_getLogs","params":[{}]}"#)
            return answer.hasPrefix(#"{"jsonrpc":"2.0","id":"big","result":"aaa"#)
        }
        #expect(answered, "\(answer.prefix(200))")
        #expect(answer.utf8.count > 1_100_000)
        // Still alive and serving other routes.
        let health = try await harness.client.post("http://127.0.0.1:\(harness.app.port)/rpc/ethereum",
                                                   body: Array(#"{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}"#.utf8))
        #expect(health.status == 200)
        await harness.shutdown()
        provider.stop()
    }
}
