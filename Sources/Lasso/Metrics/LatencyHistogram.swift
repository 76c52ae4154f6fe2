/// A fixed-size, mergeable latency histogram with logarithmic buckets.
///
/// Buckets follow the HDR layout with three significant bits: each power of two from 64 µs to
/// 2²⁸ µs (≈ 268 s) is split into eight equal sub-buckets, plus one bucket below 64 µs and one
/// overflow bucket — 178 counters in all. A bucket spans at most 1/8 of its lower bound, so a
/// percentile reported at the bucket's midpoint is within ±6.25 % (1/16) of the true sample. Memory is constant (712 bytes of counts) however many samples arrive,
/// and two histograms merge by adding counts, which is how hourly windows are combined.
///
/// Example: recording 1 000 µs lands in the bucket [960, 1 024) µs; `percentile(0.5)` of that
/// single sample reports 992 µs.
public struct LatencyHistogram: Equatable, Sendable {
    /// Sub-buckets per power of two, as a bit count (8 sub-buckets).
    static let subBucketBits = 3
    static let subBuckets = 1 << subBucketBits
    /// The first power of two with its own buckets: 2⁶ = 64 µs. Faster samples share bucket 0.
    static let lowestOctave = 6
    /// The last power of two with its own buckets: [2²⁷, 2²⁸) µs. Slower samples overflow.
    static let highestOctave = 27

    /// Number of counters in every histogram.
    public static let bucketCount = 2 + (highestOctave - lowestOctave + 1) * subBuckets

    /// Samples per bucket; always `bucketCount` long.
    public private(set) var counts: [UInt32]
    /// Samples recorded.
    public private(set) var total: UInt64

    /// An empty histogram.
    public init() {
        counts = [UInt32](repeating: 0, count: Self.bucketCount)
        total = 0
    }

    /// A histogram of existing bucket counts (for example one hourly window of a
    /// `BenchmarkStore` slot). Missing trailing buckets count as zero, extra ones are ignored.
    public init(counts source: some Collection<UInt32>) {
        self.init()
        add(counts: source)
    }

    /// Adds one sample of `micros` microseconds. Saturates rather than wrapping.
    public mutating func record(micros: UInt64) {
        let index = Self.bucketIndex(micros: micros)
        if counts[index] < UInt32.max {
            counts[index] += 1
            total += 1
        }
    }

    /// Adds every sample of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        add(counts: other.counts)
    }

    /// Adds bucket counts laid out like `counts` (for example one hourly window of a
    /// `BenchmarkStore` slot) without building a histogram for them first.
    public mutating func add(counts source: some Collection<UInt32>) {
        var index = 0
        for count in source where index < Self.bucketCount {
            // Saturate per bucket and count only what fit, so `total` always equals the sum.
            let added = min(count, UInt32.max - counts[index])
            counts[index] += added
            total += UInt64(added)
            index += 1
        }
    }

    /// The `quantile` (0…1) sample's value in microseconds, at its bucket's midpoint; `nil` when
    /// empty. Uses the nearest-rank definition: the smallest sample with at least
    /// `quantile × total` samples at or below it.
    public func percentileMicros(_ quantile: Double) -> Double? {
        guard total > 0 else { return nil }
        let clamped = quantile.isNaN ? 0.5 : min(1, max(0, quantile))
        // Ceiling by comparison rather than `rounded(.up)`, which would need libm.
        let exactRank = clamped * Double(total)
        var rank = UInt64(exactRank)
        if Double(rank) < exactRank { rank += 1 }
        rank = max(1, rank)
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += UInt64(counts[index])
            if seen >= rank { return Self.representativeMicros(bucket: index) }
        }
        return Self.representativeMicros(bucket: Self.bucketCount - 1)
    }

    /// The bucket holding a sample of `micros` microseconds. O(1): two bit operations.
    public static func bucketIndex(micros: UInt64) -> Int {
        if micros < (1 << lowestOctave) { return 0 }
        let octave = 63 - micros.leadingZeroBitCount
        if octave > highestOctave { return bucketCount - 1 }
        let subBucket = Int((micros >> UInt64(octave - subBucketBits)) & UInt64(subBuckets - 1))
        return 1 + (octave - lowestOctave) * subBuckets + subBucket
    }

    /// The smallest sample, in microseconds, that falls in `bucket`.
    public static func lowerBoundMicros(bucket: Int) -> UInt64 {
        if bucket <= 0 { return 0 }
        if bucket >= bucketCount - 1 { return 1 << UInt64(highestOctave + 1) }
        let octave = (bucket - 1) / subBuckets + lowestOctave
        let subBucket = (bucket - 1) % subBuckets
        return UInt64(subBuckets + subBucket) << UInt64(octave - subBucketBits)
    }

    /// One past the largest sample, in microseconds, that falls in `bucket`; the overflow
    /// bucket has no upper bound and reports its lower bound.
    public static func upperBoundMicros(bucket: Int) -> UInt64 {
        if bucket >= bucketCount - 1 { return lowerBoundMicros(bucket: bucket) }
        return lowerBoundMicros(bucket: bucket + 1)
    }

    /// The value reported for samples in `bucket`: the midpoint of its bounds, which halves the
    /// worst relative error of reporting either bound.
    public static func representativeMicros(bucket: Int) -> Double {
        if bucket >= bucketCount - 1 { return Double(lowerBoundMicros(bucket: bucket)) }
        return Double(lowerBoundMicros(bucket: bucket) + upperBoundMicros(bucket: bucket)) / 2
    }
}
