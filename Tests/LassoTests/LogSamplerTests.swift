import Testing
@testable import Lasso

@Suite struct LogSamplerTests {
    @Test func keepsSuccessesBelowThresholdAndErrorsAlways() {
        let sampler = LogSampler(rate: 0.25)
        let quarter: UInt64 = 1 << 62
        #expect(sampler.keeps(isError: false, draw: quarter - 1))
        #expect(!sampler.keeps(isError: false, draw: quarter))
        #expect(!sampler.keeps(isError: false, draw: .max))
        #expect(sampler.keeps(isError: true, draw: .max))
    }

    @Test func edgeRates() {
        #expect(LogSampler(rate: 1).keepsAll)
        #expect(LogSampler(rate: 1.0.nextDown).keeps(isError: false, draw: 0))
        #expect(!LogSampler(rate: 0).keeps(isError: false, draw: 0))
        #expect(LogSampler(rate: 0).keeps(isError: true, draw: 0))
        #expect(LogSampler(rate: .nan).keepsAll)
        #expect(LogSampler(rate: 7).rate == 1)
    }

    /// The same draws give the same lines: sampling is reproducible once randomness is fixed.
    @Test func observabilitySamplingIsDeterministicWithInjectedDraws() {
        func run() -> [Bool] {
            let draws = ScriptedDraws([0, .max, 1 << 62, (1 << 63) - 1, 1 << 63, 5])
            let observability = Logger(config: ObservabilityConfig(samplingRate: 0.5), sink: CapturingLogSink(),
                                       wallClockMillis: { 0 }, randomDraw: { draws.next() })
            return (0..<6).map { _ in observability.logRequestCompleted(RequestLogLineTests.seedContext()) }
        }
        let expected = [true, false, true, true, false, true]
        #expect(run() == expected)
        #expect(run() == expected)
    }

    @Test func errorsBypassSamplingAndDrawNothing() {
        let sink = CapturingLogSink()
        let observability = Logger(config: ObservabilityConfig(samplingRate: 0), sink: sink, wallClockMillis: { 0 },
                                   randomDraw: { Issue.record("no draw expected for errors"); return 0 })
        var context = RequestLogLineTests.seedContext()
        context.recordError(.init(code: -32000, message: "all providers failed", category: "all_failed"), atNanos: 2_000_000_000)
        #expect(observability.logRequestCompleted(context))
        #expect(sink.lines.count == 1)
    }

    @Test func levelFilterDropsSuccessesAtWarning() {
        let sink = CapturingLogSink()
        let observability = Logger(config: ObservabilityConfig(logLevel: .warning), sink: sink, wallClockMillis: { 0 })
        #expect(!observability.logRequestCompleted(RequestLogLineTests.seedContext()))
        var failed = RequestLogLineTests.seedContext()
        failed.recordError(.init(code: 1, message: "m", category: "c"), atNanos: 2_000_000_000)
        #expect(observability.logRequestCompleted(failed))
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.contains(#""level":"warning""#) == true)
    }
}
