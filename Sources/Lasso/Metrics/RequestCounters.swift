import Synchronization

/// The counters and latency histograms behind `lasso_requests_total`,
/// `lasso_request_errors_total` and `lasso_request_duration_seconds`: incremented once per
/// request on the hot path, read by `/metrics`.
///
/// Why not `BenchmarkStore`: Prometheus counters must only grow, while the store's hourly
/// windows age out; the store also skips outcomes that say nothing about a provider (a
/// reverted `eth_call`), which a request counter must include, and has no status or error
/// category. So the two are fed side by side.
///
/// Cost: `record` takes one lock, does one or two dictionary lookups with the label strings
/// (hashing, no allocation), a linear scan of 14 bucket bounds and a few additions. Only a
/// label set seen for the first time allocates.
///
/// Cardinality is bounded, since method names come from clients. A request's method is counted
/// under its own name only when it is one of `KnownMethods`, which no client can add to; every
/// other name is counted as `unknown`, so a client sending thousands of made-up names fills one
/// series, and methods it never sent keep their own. Beyond that, at most `maxSeries` request
/// series; past that, and for method names longer than `maxMethodBytes`, the method label
/// becomes `other`. The `other` series (one per chain/provider/transport) are always admitted.
///
/// ```swift
/// let counters = RequestCounters()
/// counters.record(context)                      // at the end of each request
/// let requests = counters.snapshot().requests   // for /metrics
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class RequestCounters: Sendable {
    /// A histogram bucket: its upper bound and that bound as the `le` label.
    public struct Bucket: Sendable, Equatable {
        /// Upper bound, inclusive, in nanoseconds.
        public var upperBoundNanos: UInt64
        /// The bound in seconds as written in `le`.
        public var label: String
    }

    /// The histogram's buckets, 1 ms to 30 s: a local upstream answers in about a
    /// millisecond, public providers in tens to hundreds, timeouts take seconds.
    public static let durationBuckets: [Bucket] = [
        (1_000_000, "0.001"), (2_500_000, "0.0025"), (5_000_000, "0.005"), (10_000_000, "0.01"),
        (25_000_000, "0.025"), (50_000_000, "0.05"), (100_000_000, "0.1"), (250_000_000, "0.25"),
        (500_000_000, "0.5"), (1_000_000_000, "1"), (2_500_000_000, "2.5"), (5_000_000_000, "5"),
        (10_000_000_000, "10"), (30_000_000_000, "30"),
    ].map { Bucket(upperBoundNanos: $0.0, label: $0.1) }

    /// The provider label when no provider was reached (no candidates, invalid request).
    public static let noProvider = "none"
    /// The method label past the series cap or for over-long method names.
    public static let overflowMethod = "other"

    private struct SeriesKey: Hashable {
        var chain: String
        var provider: String
        var method: String
        var transport: TransportKind
    }

    private struct ErrorKey: Hashable {
        var chain: String
        var provider: String
        var transport: TransportKind
        var category: String
    }

    private struct State {
        var slots: [SeriesKey: Int] = [:]
        var keys: [SeriesKey] = []
        var successes: [UInt64] = []
        var errors: [UInt64] = []
        var sumNanos: [UInt64] = []
        /// `bucketsPerSeries` counters per slot, slot-major; the last of each is the overflow.
        var buckets: [UInt64] = []
        var errorCounts: [ErrorKey: UInt64] = [:]
    }

    private static let bucketsPerSeries = durationBuckets.count + 1

    /// Request series admitted before methods become `other`.
    public let maxSeries: Int
    /// Longest method name kept as its own label, in UTF-8 bytes.
    public let maxMethodBytes: Int
    private let state = Mutex(State())

    /// Empty counters.
    public init(maxSeries: Int = 4_096, maxMethodBytes: Int = 64) {
        self.maxSeries = max(1, maxSeries)
        self.maxMethodBytes = max(1, maxMethodBytes)
    }

    /// Counts one completed request: provider and transport of the last attempt (the client's
    /// transport and `none` when there was none), its method (`KnownMethods.metricLabel`), status,
    /// error category and end-to-end latency.
    public func record(_ context: RequestContext) {
        record(chain: context.chain, provider: context.selectedProvider?.providerID,
               method: KnownMethods.metricLabel(context.method),
               transport: context.selectedProvider?.transport ?? context.transport, status: context.status,
               errorCategory: context.error?.category, durationNanos: context.endToEndLatencyNanos)
    }

    /// Counts one completed request.
    public func record(chain: String, provider: String?, method: String, transport: TransportKind,
                       status: RequestContext.Status, errorCategory: String?, durationNanos: UInt64) {
        let provider = provider ?? Self.noProvider
        let bucket = Self.bucketIndex(nanos: durationNanos)
        state.withLock { state in
            let key = SeriesKey(chain: chain, provider: provider, method: method, transport: transport)
            let slot = state.slots[key] ?? Self.addSlot(for: key, in: &state, maxSeries: maxSeries, maxMethodBytes: maxMethodBytes)
            if status == .success { state.successes[slot] &+= 1 } else { state.errors[slot] &+= 1 }
            state.sumNanos[slot] &+= durationNanos
            state.buckets[slot &* Self.bucketsPerSeries &+ bucket] &+= 1
            if status == .error {
                let errorKey = ErrorKey(chain: chain, provider: provider, transport: transport,
                                        category: errorCategory ?? "unknown")
                state.errorCounts[errorKey, default: 0] &+= 1
            }
        }
    }

    /// The counters now, for `PrometheusSnapshot.requests` and `.errors`.
    public func snapshot() -> (requests: [PrometheusSnapshot.RequestSeries], errors: [PrometheusSnapshot.ErrorSeries]) {
        state.withLock { state in
            let requests = state.keys.indices.map { slot in
                let key = state.keys[slot]
                let start = slot * Self.bucketsPerSeries
                return PrometheusSnapshot.RequestSeries(
                    chain: key.chain, provider: key.provider, method: key.method, transport: key.transport,
                    successes: state.successes[slot], errors: state.errors[slot],
                    bucketCounts: Array(state.buckets[start..<start + Self.bucketsPerSeries]),
                    durationSumNanos: state.sumNanos[slot])
            }
            let errors = state.errorCounts.map { key, count in
                PrometheusSnapshot.ErrorSeries(chain: key.chain, provider: key.provider, transport: key.transport,
                                               category: key.category, count: count)
            }
            return (requests, errors)
        }
    }

    /// The bucket a duration falls in; `durationBuckets.count` is the overflow.
    static func bucketIndex(nanos: UInt64) -> Int {
        for (index, bucket) in durationBuckets.enumerated() where nanos <= bucket.upperBoundNanos { return index }
        return durationBuckets.count
    }

    private static func addSlot(for key: SeriesKey, in state: inout State, maxSeries: Int, maxMethodBytes: Int) -> Int {
        var key = key
        if state.keys.count >= maxSeries || key.method.utf8.count > maxMethodBytes {
            key.method = overflowMethod
            if let existing = state.slots[key] { return existing }
        }
        let slot = state.keys.count
        state.slots[key] = slot
        state.keys.append(key)
        state.successes.append(0)
        state.errors.append(0)
        state.sumNanos.append(0)
        state.buckets.append(contentsOf: repeatElement(0, count: bucketsPerSeries))
        return slot
    }
}
