/// A chain's `monitoring:` — health probes and the lag rule used by selection.
public struct MonitoringConfig: Sendable, Equatable {
    /// Interval between `eth_blockNumber` probes of each provider. Default 12 000 ms; not derived
    /// from the block time, since probing a 250 ms chain that often would rate-limit public providers.
    public var probeIntervalMs: Int
    /// A provider more than this many blocks behind the best known head is skipped. Default 3.
    public var lagThresholdBlocks: Int

    /// Creates a monitoring section.
    public init(probeIntervalMs: Int = 12_000, lagThresholdBlocks: Int = 3) {
        self.probeIntervalMs = probeIntervalMs
        self.lagThresholdBlocks = lagThresholdBlocks
    }

    static let keys = ["probe_interval_ms", "lag_threshold_blocks"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        self.init(probeIntervalMs: decoder.int(fields, "probe_interval_ms", in: 1...Int.max) ?? 12_000,
                  lagThresholdBlocks: decoder.int(fields, "lag_threshold_blocks", in: 0...Int.max) ?? 3)
    }
}
