import Foundation
import Testing
@testable import Lasso

@Suite struct RequestLogLineTests {
    static let cloudflare = Channel(providerID: "ethereum_cloudflare", transport: .http)
    static let llama = Channel(providerID: "ethereum_llamarpc", transport: .http)
    static let now: Int64 = 1_764_086_610_123

    /// The seed's example request: two candidates, the first failed, the second answered.
    static func seedContext() -> RequestContext {
        var context = RequestContext(requestID: RequestID(high: 0x2102_7f76_7548_a9b6, low: 0xddff_97c8_60e7_e58c),
                                     chain: "ethereum", method: "eth_blockNumber", transport: .http,
                                     strategy: .cheapest, startedAtNanos: 1_000_000_000)
        context.recordParams(nil, includeDigest: true)
        context.recordSelection(candidates: [cloudflare, llama], startedAtNanos: 1_000_000_000, finishedAtNanos: 1_000_012_000)
        context.recordAttempt(on: cloudflare, breakerPhase: .closed, startedAtNanos: 1_000_020_000)
        context.recordUpstreamResponse(atNanos: 1_000_900_000)
        context.recordAttempt(on: llama, breakerPhase: .closed, startedAtNanos: 1_001_000_000)
        context.recordUpstreamResponse(atNanos: 1_593_000_000)
        context.recordSuccess(resultType: .string, atNanos: 1_593_104_000)
        return context
    }

    private func render(_ context: RequestContext, _ config: ObservabilityConfig = ObservabilityConfig(),
                        scrubber: SecretScrubber = SecretScrubber()) -> String {
        String(decoding: RequestLogLine.render(context, config: config, scrubber: scrubber, unixMillis: Self.now), as: UTF8.self)
    }

    @Test func successLineMatchesGolden() {
        let expected = #"{"ts":"2025-11-25T16:03:30.123Z","level":"info","event":"rpc.request.completed","#
            + #""request_id":"21027f767548a9b6ddff97c860e7e58c","strategy":"cheapest","chain":"ethereum","#
            + #""transport":"http","jsonrpc_method":"eth_blockNumber","params_present":false,"#
            + #""routing":{"candidate_providers":["ethereum_cloudflare:http","ethereum_llamarpc:http"],"#
            + #""selected_provider":{"id":"ethereum_llamarpc","protocol":"http"},"selection_latency_ms":0.012,"#
            + #""retries":1,"circuit_breaker_state":"closed"},"#
            + #""timing":{"upstream_latency_ms":592,"end_to_end_latency_ms":593.104},"#
            + #""response":{"status":"success","result_type":"string"}}"# + "\n"
        #expect(render(Self.seedContext()) == expected)
    }

    @Test func errorLineMatchesGoldenWithDigestAndWarningLevel() {
        var context = RequestContext(requestID: RequestID(high: 1, low: 2), chain: "base", method: "eth_call",
                                     transport: .ws, strategy: .fastest, startedAtNanos: 0)
        Array(#"["0xabc", "latest"]"#.utf8).withUnsafeBytes { context.recordParams($0, includeDigest: true) }
        context.recordSelection(candidates: [Self.llama], startedAtNanos: 0, finishedAtNanos: 0)
        context.recordAttempt(on: Self.llama, breakerPhase: .halfOpen, startedAtNanos: 5_000)
        context.recordUpstreamResponse(atNanos: 2_005_000)
        context.recordError(.init(code: 3, message: "execution reverted", category: "caller.execution_reverted"),
                            atNanos: 2_100_000)
        let expected = #"{"ts":"2025-11-25T16:03:30.123Z","level":"warning","event":"rpc.request.completed","#
            + #""request_id":"00000000000000010000000000000002","strategy":"fastest","chain":"base","#
            + #""transport":"ws","jsonrpc_method":"eth_call","params_present":true,"#
            + #""params_digest":"sha256:40acc9e57cf62cda2a6d86e6778f888ef7371c9f65fd16cdccb903a11241b8e0","#
            + #""routing":{"candidate_providers":["ethereum_llamarpc:http"],"#
            + #""selected_provider":{"id":"ethereum_llamarpc","protocol":"http"},"selection_latency_ms":0,"#
            + #""retries":0,"circuit_breaker_state":"half_open"},"#
            + #""timing":{"upstream_latency_ms":2,"end_to_end_latency_ms":2.1},"#
            + #""response":{"status":"error","error":{"code":3,"message":"execution reverted","#
            + #""category":"caller.execution_reverted"}}}"# + "\n"
        #expect(render(context) == expected)
    }

    @Test func digestOmittedWhenDisabled() {
        var context = Self.seedContext()
        Array("[1]".utf8).withUnsafeBytes { context.recordParams($0, includeDigest: true) }
        #expect(render(context).contains(#""params_digest":"sha256:"#))
        #expect(!render(context, ObservabilityConfig(includeParamsDigest: false)).contains("params_digest"))
    }

    @Test func noAttemptRendersNullProviderAndUnknownBreaker() {
        var context = RequestContext(requestID: RequestID(high: 0, low: 0), chain: "ethereum", method: "eth_call",
                                     transport: .http, strategy: .priority, startedAtNanos: 10)
        context.recordSelection(candidates: [], startedAtNanos: 10, finishedAtNanos: 20)
        context.recordError(.init(code: -32000, message: "no provider available", category: "no_candidates"), atNanos: 30)
        let line = render(context)
        #expect(line.contains(#""candidate_providers":[],"selected_provider":null"#))
        #expect(line.contains(#""circuit_breaker_state":"unknown""#))
        #expect(line.contains(#""upstream_latency_ms":null"#))
    }

    @Test func errorMessageTruncatedOnCharacterBoundary() throws {
        var context = Self.seedContext()
        // Each flag is 8 UTF-8 bytes and one character: a byte cut would split it.
        context.recordError(.init(code: -32000, message: "ab🇩🇪🇫🇷🇮🇹cd", category: "provider.server_error"), atNanos: 2_000_000_000)
        let line = render(context, ObservabilityConfig(maxErrorMessageChars: 4))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let response = try #require(object["response"] as? [String: Any])
        let error = try #require(response["error"] as? [String: Any])
        #expect(error["message"] as? String == "ab🇩🇪🇫🇷")
        #expect(error["code"] as? Int == -32000)
    }

    @Test func everyLineIsOneParsableJSONObject() throws {
        var context = Self.seedContext()
        context.recordError(.init(code: -1, message: "line1\nline2 \"quoted\" \\ \u{7}", category: "x"), atNanos: 2_000_000_000)
        let line = render(context)
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.hasSuffix("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "rpc.request.completed")
    }
}
