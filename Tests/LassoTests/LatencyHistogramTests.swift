import Testing
@testable import Lasso

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    /// Values spread over the whole bucketed range, including every bucket edge region.
    static let sweep: [UInt64] = {
        var values: [UInt64] = []
        var value: UInt64 = 64
        while value < (1 << 28) {
            values.append(value)
            values.append(value + 1)
            value = value * 17 / 16 + 1
        }
        return values
    }()

    @Test("178 buckets of 4 bytes: constant memory per histogram")
    func size() {
        #expect(LatencyHistogram.bucketCount == 178)
        #expect(LatencyHistogram().counts.count == 178)
    }

    @Test("every sample falls inside its bucket's bounds, and buckets never go backwards")
    func boundsContainSample() {
        var previous = 0
        for value in Self.sweep {
            let bucket = LatencyHistogram.bucketIndex(micros: value)
            #expect(LatencyHistogram.lowerBoundMicros(bucket: bucket) <= value)
            #expect(value < LatencyHistogram.upperBoundMicros(bucket: bucket))
            #expect(bucket >= previous)
            previous = bucket
        }
    }

    @Test("a bucket's midpoint is within 6.25 % of any sample in it")
    func relativeError() {
        for value in Self.sweep {
            let reported = LatencyHistogram.representativeMicros(bucket: LatencyHistogram.bucketIndex(micros: value))
            #expect(abs(reported - Double(value)) / Double(value) <= 0.0625)
        }
    }

    @Test("below 64 µs shares bucket 0; from 2^28 µs on shares the overflow bucket")
    func edges() {
        #expect(LatencyHistogram.bucketIndex(micros: 0) == 0)
        #expect(LatencyHistogram.bucketIndex(micros: 63) == 0)
        #expect(LatencyHistogram.bucketIndex(micros: 64) == 1)
        #expect(LatencyHistogram.bucketIndex(micros: (1 << 28) - 1) == LatencyHistogram.bucketCount - 2)
        #expect(LatencyHistogram.bucketIndex(micros: 1 << 28) == LatencyHistogram.bucketCount - 1)
        #expect(LatencyHistogram.bucketIndex(micros: UInt64.max) == LatencyHistogram.bucketCount - 1)
    }

    @Test("the documented example: 1 000 µs lands in [960, 1 024) and reports 992")
    func documentedExample() {
        var histogram = LatencyHistogram()
        histogram.record(micros: 1_000)
        let bucket = LatencyHistogram.bucketIndex(micros: 1_000)
        #expect(LatencyHistogram.lowerBoundMicros(bucket: bucket) == 960)
        #expect(LatencyHistogram.upperBoundMicros(bucket: bucket) == 1_024)
        #expect(histogram.percentileMicros(0.5) == 992)
    }

    @Test("p50/p95/p99 of 1…1000 ms are within bucket error of the true values")
    func percentileAccuracy() {
        var histogram = LatencyHistogram()
        for ms in 1...1_000 as ClosedRange<UInt64> { histogram.record(micros: ms * 1_000) }
        #expect(histogram.total == 1_000)
        for (quantile, truth) in [(0.5, 500_000.0), (0.95, 950_000.0), (0.99, 990_000.0), (1.0, 1_000_000.0)] {
            let reported = histogram.percentileMicros(quantile) ?? 0
            #expect(abs(reported - truth) / truth <= 0.0625, "q\(quantile): \(reported) vs \(truth)")
        }
    }

    @Test("a skewed distribution: 99 fast samples and one slow one put p99 fast and p100 slow")
    func skewed() {
        var histogram = LatencyHistogram()
        for _ in 0..<99 { histogram.record(micros: 2_000) }
        histogram.record(micros: 2_000_000)
        #expect(abs((histogram.percentileMicros(0.99) ?? 0) - 2_000) / 2_000 <= 0.0625)
        #expect(abs((histogram.percentileMicros(1.0) ?? 0) - 2_000_000) / 2_000_000 <= 0.0625)
    }

    @Test("an empty histogram has no percentiles")
    func empty() {
        #expect(LatencyHistogram().percentileMicros(0.5) == nil)
    }

    @Test("merging equals recording everything into one histogram")
    func mergeable() {
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var both = LatencyHistogram()
        for (index, value) in Self.sweep.enumerated() {
            if index.isMultiple(of: 2) { left.record(micros: value) } else { right.record(micros: value) }
            both.record(micros: value)
        }
        left.merge(right)
        #expect(left == both)
    }

    @Test("building from counts round-trips")
    func fromCounts() {
        var histogram = LatencyHistogram()
        for value in Self.sweep { histogram.record(micros: value) }
        #expect(LatencyHistogram(counts: histogram.counts) == histogram)
    }
}

@Suite("LatencyHistogram saturation")
struct LatencyHistogramSaturationTests {
    @Test("adding past UInt32.max saturates the bucket and keeps total equal to the sum of counts")
    func saturates() {
        var histogram = LatencyHistogram(counts: [UInt32.max - 1, 5])
        histogram.add(counts: [10, 1])
        #expect(histogram.counts[0] == UInt32.max)
        #expect(histogram.counts[1] == 6)
        #expect(histogram.total == UInt64(UInt32.max) + 6)
    }
}
