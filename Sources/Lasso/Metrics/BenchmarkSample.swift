import Supervision

/// One measured attempt, as the benchmark store records it: which provider, method and
/// transport, how long it took, whether it succeeded, and when.
public struct BenchmarkSample: Sendable, Equatable {
    public var chain: String
    public var key: MetricKey
    public var latencyMicros: UInt64
    public var succeeded: Bool
    /// When the attempt finished: the store ages samples by it, whenever they reach it.
    public var at: RuntimeInstant

    public init(chain: String, key: MetricKey, latencyMicros: UInt64, succeeded: Bool, at: RuntimeInstant) {
        self.chain = chain
        self.key = key
        self.latencyMicros = latencyMicros
        self.succeeded = succeeded
        self.at = at
    }
}
