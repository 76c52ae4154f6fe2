/// A chain's `monitoring:` — health probes and the lag rule used by selection.
public struct MonitoringConfig: Sendable, Equatable {
    /// Interval between `eth_blockNumber` probes of each provider (`probe_interval_ms`). Default
    /// 12 s; not derived from the block time, since probing a 250 ms chain that often would
    /// rate-limit public providers.
    public var probeInterval: Duration
    /// A provider more than this many blocks behind the best known head is skipped. Default 3.
    public var lagThresholdBlocks: Int

    /// Creates a monitoring section.
    public init(probeInterval: Duration = .seconds(12), lagThresholdBlocks: Int = 3) {
        self.probeInterval = probeInterval
        self.lagThresholdBlocks = lagThresholdBlocks
    }

    static let keys = ["probe_interval_ms", "lag_threshold_blocks"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        self.init(probeInterval: decoder.milliseconds(fields, "probe_interval_ms", in: 1...Int.max) ?? .seconds(12),
                  lagThresholdBlocks: decoder.int(fields, "lag_threshold_blocks", in: 0...Int.max) ?? 3)
    }
}
