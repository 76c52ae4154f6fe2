import Testing
@testable import Lasso
import Supervision
import TestSupport

/// What one client must not be able to do through the pipeline: broadcast a write twice, send
/// an absurd method name upstream, or switch a provider off with replies too large for lassod.
@Suite struct RequestPipelineHardeningTests {
    typealias Fixture = RequestPipelineTests.Fixture

    private func text(_ outcome: PipelineOutcome) -> String {
        String(decoding: outcome.body ?? [], as: UTF8.self)
    }

    @Test(arguments: ["eth_sendRawTransactionConditional", "eth_sendBundle", "eth_sendPrivateTransaction",
                      "eth_sendUserOperation", "eth_sendRawTransactionSync"])
    func everyWayToSendIsRefusedWhenWritesAreOff(_ method: String) async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":"0xhash"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":[]}"#)
        #expect(outcome.context.error?.code == -32601 && outcome.context.error?.category == "caller.write_method")
        #expect(text(outcome).contains("\(method) is a write method"))
        #expect(fixture.upstream.sentTo.isEmpty)
    }

    @Test(arguments: [UpstreamReply.failure(.timeout), .failure(.connectionClosed), .failure(.connectionRefused),
                      .response(status: 503, retryAfter: nil, body: Array("busy".utf8)),
                      .response(status: 429, retryAfter: "1", body: []),
                      .response(status: 200, retryAfter: nil,
                                body: Array(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"boom"}}"#.utf8))])
    func aWriteIsSentOnceWhateverItsProviderAnswers(_ failure: UpstreamReply) async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("gamma") { _ in failure }
        fixture.upstream.answer("delta", json: #"{"jsonrpc":"2.0","id":1,"result":"0xhash"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendBundle","params":[{}]}"#,
                                            chain: "writable")
        #expect(fixture.upstream.sentTo == ["gamma"], "never retried on delta")
        #expect(outcome.context.error?.code == -32000)
        #expect(text(outcome).contains("may have been broadcast"), "the client is told not to assume it was not sent")
    }

    @Test func aWriteWhoseFirstCandidateRefusesBeforeSendingGoesToTheNext() async throws {
        let fixture = try await Fixture()
        // Both breakers half-open, gamma's single trial already taken: gamma refuses the write
        // before a byte is sent, so delta may take it.
        fixture.upstream.answer("gamma") { _ in .failure(.timeout) }
        fixture.upstream.answer("delta") { _ in .failure(.timeout) }
        for id in 0..<5 {
            _ = try await fixture.run(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_blockNumber"}"#, chain: "writable")
        }
        // The verdicts reach the breakers as casts: wait until both opened before the clock moves.
        for provider in ["gamma", "delta"] {
            try #require(try await waitFor {
                if case .open? = try await fixture.breakerState(provider, chain: "writable") { return true }
                return false
            })
        }
        fixture.clock.advance(by: .seconds(60))
        for provider in ["gamma", "delta"] {
            try #require(try await waitFor {
                try await fixture.breakerState(provider, chain: "writable") == .halfOpen(successes: 0, trialInFlight: false)
            })
        }
        let gamma = fixture.breakers.breaker(chain: "writable", channel: Channel(providerID: "gamma", transport: .http))
        _ = try await gamma?.call(.admit)
        fixture.upstream.answer("delta", json: #"{"jsonrpc":"2.0","id":1,"result":"0xhash"}"#)
        let sentBefore = fixture.upstream.sentTo.count
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x0"]}"#,
                                            chain: "writable")
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["delta"])
        // gamma was a candidate, refused by its breaker before sending (no retry counted), and
        // delta answered.
        #expect(outcome.context.status == .success && outcome.context.retries == 0)
        #expect(outcome.context.candidateProviders.map(\.providerID) == ["gamma", "delta"])
        #expect(outcome.context.selectedProvider?.providerID == "delta")
    }

    @Test(arguments: [
        (String(repeating: "x", count: 1 << 20), "at most 128 bytes, this one has 1048576"),
        (String(repeating: "é", count: 65), "at most 128 bytes, this one has 130"),
        ("eth_call\u{0}", "whitespace or control characters"),
        ("eth_call\n", "whitespace or control characters"),
        ("eth call", "whitespace or control characters"),
        ("", "the method name is empty"),
    ])
    func anUnroutableMethodNameIsRefusedShortWithoutAnUpstreamCall(_ method: String, _ reason: String) async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        var json = JSONWriter()
        json.stringValue(method)
        let escaped = json.finish()
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":7,"method":"#
                                            + String(decoding: escaped, as: UTF8.self) + "}")
        #expect(fixture.upstream.sentTo.isEmpty)
        #expect(outcome.context.error?.code == -32601 && outcome.context.error?.category == "caller.invalid_method")
        let body = text(outcome)
        #expect(body.hasPrefix(#"{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"Method not found: "#))
        #expect(body.contains(reason) && body.utf8.count < 200, "\(body.prefix(300))")
        // What logs and metrics get is the name cut to 128 bytes and marked.
        #expect(outcome.context.method.utf8.count <= JSONRPCMethodName.maxBytes + JSONRPCMethodName.ellipsis.utf8.count)
    }

    @Test func aReplyTooLargeOverHTTPFailsTheRequestWithoutCountingAgainstTheProvider() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha") { _ in .failure(.responseTooLarge) }
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":[]}"#)
        for id in 0..<6 {
            let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_getLogs","params":[{}]}"#)
            #expect(outcome.context.error?.code == -32000)
            #expect(text(outcome).contains("larger than lassod accepts from a provider"))
        }
        #expect(fixture.upstream.sentTo == Array(repeating: "alpha", count: 6), "beta's HTTP cap is no higher")
        #expect(try await fixture.breakerState("alpha") == .closed(consecutiveFailures: 0),
                "six oversized replies, and the breaker (threshold 5) counted none")
        #expect(fixture.recorded.all.isEmpty, "nor did the benchmark store, which scores providers")
    }

    @Test func aReplyTooLargeOverAWebSocketTriesOnlyHTTPChannelsAfterIt() async throws {
        let fixture = try await Fixture()
        let board = try #require(fixture.boards["sockets"])
        for provider in ["kappa", "lambda"] { board.publish(webSocketConnected: true, provider: provider) }
        // kappa's HTTP channel is out, so its WebSocket goes first: kappa/ws, lambda/http, lambda/ws.
        board.publish(health: ChannelHealth(phase: .forcedOpen), provider: "kappa", transport: .http)
        fixture.upstream.answer("kappa", over: .ws) { _ in .failure(.responseTooLarge) }
        fixture.upstream.answer("lambda", over: .http) { _ in .failure(.timeout) }
        fixture.upstream.answer("lambda", over: .ws) { _ in .failure(.responseTooLarge) }
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{}]}"#,
                                            chain: "sockets")
        #expect(fixture.upstream.sentOver == ["kappa/ws", "lambda/http"],
                "lambda's WebSocket is not tried: it would drop a socket others share, for the same reply")
        #expect(fixture.verdicts.all == ["kappa/ws: provider.response_too_large", "lambda/http: provider.timeout"])
        #expect(text(outcome).contains("(kappa/ws: provider.response_too_large, lambda/http: provider.timeout)"))
    }
}
