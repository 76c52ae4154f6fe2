import Testing
@testable import Lasso

@Suite struct RequestCountersTests {
    @Test func countsOutcomesBucketsAndErrorCategories() throws {
        let counters = RequestCounters()
        counters.record(chain: "ethereum", provider: "a", method: "eth_call", transport: .http, status: .success,
                        errorCategory: nil, durationNanos: 1_000_000)
        counters.record(chain: "ethereum", provider: "a", method: "eth_call", transport: .http, status: .success,
                        errorCategory: nil, durationNanos: 1_000_001)
        counters.record(chain: "ethereum", provider: "a", method: "eth_call", transport: .http, status: .error,
                        errorCategory: "caller.execution_reverted", durationNanos: 40_000_000_000)
        let (requests, errors) = counters.snapshot()
        let series = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(series.successes == 2 && series.errors == 1)
        #expect(series.durationSumNanos == 40_002_000_001)
        #expect(series.bucketCounts.count == RequestCounters.durationBuckets.count + 1)
        #expect(series.bucketCounts[0] == 1)   // exactly 1 ms: le="0.001" is inclusive
        #expect(series.bucketCounts[1] == 1)   // just over
        #expect(series.bucketCounts.last == 1) // past 30 s
        #expect(errors == [.init(chain: "ethereum", provider: "a", transport: .http, category: "caller.execution_reverted", count: 1)])
    }

    @Test func contextWithoutAttemptCountsUnderNoProviderAndClientTransport() throws {
        let counters = RequestCounters()
        var context = RequestContext(requestID: RequestID(high: 0, low: 0), chain: "base", method: "eth_call",
                                     transport: .ws, strategy: .fastest, startedAtNanos: 0)
        context.recordError(.init(code: -32000, message: "no providers", category: "no_candidates"), atNanos: 10)
        counters.record(context)
        let series = try #require(counters.snapshot().requests.first)
        #expect(series.provider == "none")
        #expect(series.transport == .ws)
        #expect(series.errors == 1)
    }

    @Test func methodLabelsAreBoundedByTheSeriesCap() {
        let counters = RequestCounters(maxSeries: 3, maxMethodBytes: 10)
        for method in ["m1", "m2", "m3", "m4", "m5", "a_very_long_method_name"] {
            counters.record(chain: "c", provider: "p", method: method, transport: .http, status: .success,
                            errorCategory: nil, durationNanos: 1)
        }
        let requests = counters.snapshot().requests
        #expect(requests.map(\.method).sorted() == ["m1", "m2", "m3", "other"])
        #expect(requests.first { $0.method == "other" }?.successes == 3)
    }
}
