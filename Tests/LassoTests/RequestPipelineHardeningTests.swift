import Testing
@testable import Lasso
import Supervision

/// What one client must not be able to do through the pipeline: broadcast a write twice.
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
        #expect(outcome.errorCode == -32601 && outcome.status == "caller.write_method")
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
        #expect(outcome.errorCode == -32000)
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
            try await waitUntil {
                if case .open? = try await fixture.breakerState(provider, chain: "writable") { return true }
                return false
            }
        }
        fixture.clock.advance(by: .seconds(60))
        for provider in ["gamma", "delta"] {
            try await waitUntil {
                try await fixture.breakerState(provider, chain: "writable") == .halfOpen(successes: 0, trialInFlight: false)
            }
        }
        let gamma = fixture.breakers.breaker(chain: "writable", channel: Channel(providerID: "gamma", transport: .http))
        _ = try await gamma?.call(.admit)
        fixture.upstream.answer("delta", json: #"{"jsonrpc":"2.0","id":1,"result":"0xhash"}"#)
        let sentBefore = fixture.upstream.sentTo.count
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x0"]}"#,
                                            chain: "writable")
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["delta"])
        #expect(outcome.status == "ok" && outcome.attempts.map(\.verdict) == ["breaker.rejected", "ok"])
    }
}
