import Testing
@testable import Lasso

@Suite struct RequestContextTests {
    private func context() -> RequestContext {
        RequestContext(requestID: RequestID(high: 0, low: 1), chain: "ethereum", method: "eth_getBalance",
                       transport: .http, strategy: .roundRobin, startedAtNanos: 100)
    }

    @Test(arguments: ["[]", " [ ] ", "{}", "\n{ }\t"])
    func emptyParamsCountAsAbsent(params: String) {
        var context = context()
        Array(params.utf8).withUnsafeBytes { context.recordParams($0, includeDigest: true) }
        #expect(!context.paramsPresent)
        #expect(context.paramsDigest == nil)
    }

    @Test func presentParamsAreDigestedOnlyWhenAsked() {
        var context = context()
        Array(#"["0x1","latest"]"#.utf8).withUnsafeBytes { context.recordParams($0, includeDigest: false) }
        #expect(context.paramsPresent)
        #expect(context.paramsDigest == nil)
        Array(#"["0x1","latest"]"#.utf8).withUnsafeBytes { context.recordParams($0, includeDigest: true) }
        #expect(context.paramsDigest?.hasPrefix("sha256:") == true)
        #expect(context.paramsDigest?.utf8.count == 7 + 64)
    }

    @Test func everyAttemptAfterTheFirstIsARetryAndUpstreamLatencyIsTheLastAttempts() {
        var context = context()
        let a = Channel(providerID: "a", transport: .http)
        let b = Channel(providerID: "b", transport: .ws)
        context.recordAttempt(on: a, breakerPhase: .closed, startedAtNanos: 200)
        context.recordUpstreamResponse(atNanos: 1_200)
        context.recordAttempt(on: a, breakerPhase: .closed, startedAtNanos: 1_300)
        context.recordAttempt(on: b, breakerPhase: .halfOpen, startedAtNanos: 2_000)
        #expect(context.upstreamLatencyNanos == nil)
        context.recordUpstreamResponse(atNanos: 2_500)
        #expect(context.retries == 2)
        #expect(context.selectedProvider == b)
        #expect(context.circuitBreakerState == .halfOpen)
        #expect(context.upstreamLatencyNanos == 500)
    }

    @Test func selectionReasonDefaultsToStrategyAndLatenciesSaturate() {
        var context = context()
        context.recordSelection(candidates: [], startedAtNanos: 500, finishedAtNanos: 400)
        #expect(context.selectionReason == "round_robin_rotation")
        #expect(context.selectionLatencyNanos == 0)
        context.recordSuccess(resultType: .string, atNanos: 50)
        #expect(context.endToEndLatencyNanos == 0)
        #expect(context.resultType == .string)
    }

    @Test(arguments: [("\"0x1\"", "string"), ("{}", "object"), ("[1]", "array"), ("null", "null"),
                      ("true", "boolean"), ("-1", "number"), ("7", "number")])
    func resultTypeFromFirstByte(json: String, expected: String) {
        #expect(RequestContext.ResultType(firstByte: json.utf8.first ?? 0)?.rawValue == expected)
    }

    @Test func requestIDIs32LowercaseHexDigitsFromTheGenerator() {
        var generator = FixedGenerator(values: [0xDEAD_BEEF, 0x0123_4567_89AB_CDEF])
        let id = RequestID.random(using: &generator)
        #expect(id.description == "00000000deadbeef0123456789abcdef")
    }
}

private struct FixedGenerator: RandomNumberGenerator {
    var values: [UInt64]
    mutating func next() -> UInt64 { values.isEmpty ? 0 : values.removeFirst() }
}

@Suite struct RequestIDGeneratorTests {
    @Test func idsAreDistinctAndReproducibleFromTheKeys() {
        var keysA = FixedGenerator(values: [42, 7])
        var keysB = FixedGenerator(values: [42, 7])
        let a = RequestIDGenerator(keyedBy: &keysA)
        let b = RequestIDGenerator(keyedBy: &keysB)
        let first = (0..<10_000).map { _ in a.next() }
        #expect(Set(first).count == first.count)
        #expect(Set(first.map(\.high)).count == first.count)
        #expect((0..<10_000).map { _ in b.next() } == first)
        #expect(first[0].description.utf8.count == 32)
    }

    @Test func differentKeysGiveUnrelatedSequences() {
        var keysA = FixedGenerator(values: [1, 2])
        var keysB = FixedGenerator(values: [3, 4])
        let a = RequestIDGenerator(keyedBy: &keysA)
        let b = RequestIDGenerator(keyedBy: &keysB)
        let idsA = (0..<1_000).map { _ in a.next() }
        let idsB = (0..<1_000).map { _ in b.next() }
        #expect(Set(idsA).isDisjoint(with: idsB))
    }
}
