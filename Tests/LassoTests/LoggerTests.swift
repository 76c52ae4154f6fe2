import Foundation
import Testing
@testable import Lasso

@Suite struct LoggerTests {
    @Test func writesOneJSONLineWithFieldsInOrder() {
        let sink = CapturingLogSink()
        let logger = Logger(minimumLevel: .info, sink: sink, wallClockMillis: { 1_764_086_610_123 })
        logger.log(.warning, "breaker.opened", ["chain": "ethereum", "provider": "ethereum_ankr", "failures": 5,
                                                "ratio": 0.5, "forced": false, "last_error": nil, "bad": .double(.nan)])
        #expect(sink.lines == [#"{"ts":"2025-11-25T16:03:30.123Z","level":"warning","event":"breaker.opened","#
            + #""chain":"ethereum","provider":"ethereum_ankr","failures":5,"ratio":0.5,"forced":false,"#
            + #""last_error":null,"bad":null}"# + "\n"])
    }

    @Test func dropsLinesBelowTheConfiguredLevel() {
        let sink = CapturingLogSink()
        let logger = Logger(minimumLevel: .warning, sink: sink, wallClockMillis: { 0 })
        logger.log(.debug, "a")
        logger.log(.info, "b")
        logger.log(.error, "c")
        #expect(!logger.isEnabled(.info))
        #expect(Logger(config: ObservabilityConfig(logLevel: .error), sink: sink).minimumLevel == .error)
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.contains(#""event":"c""#) == true)
    }

    @Test func escapesRuntimeKeysAndValues() throws {
        let sink = CapturingLogSink()
        Logger(minimumLevel: .debug, sink: sink, wallClockMillis: { 0 }).log(.debug, "e\"v", ["k\"ey": "line\nbreak"])
        let line = try #require(sink.lines.first)
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "e\"v")
        #expect(object["k\"ey"] as? String == "line\nbreak")
    }
}
