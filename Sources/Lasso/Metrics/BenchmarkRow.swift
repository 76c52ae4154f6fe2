/// One measured key in a benchmark file: the provider, method and transport, the attempts and the
/// mean latency of the successes, and the figures that file keeps besides (`Figures`): the
/// snapshot's EWMA (`BenchmarkSnapshot.Entry`), an hour's percentiles
/// (`BenchmarkHistoryPoint.Entry`). Written as one flat JSON object; the figures read as the
/// row's own members (`row.ewmaMs`).
@dynamicMemberLookup
public struct BenchmarkRow<Figures: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    public var provider: String
    public var method: String
    public var transport: TransportKind
    public var successes: UInt64
    public var failures: UInt64
    /// Mean latency of the successes, in milliseconds; 0 with none.
    public var meanMs: Double
    public var figures: Figures

    public init(provider: String, method: String, transport: TransportKind, successes: UInt64, failures: UInt64,
                meanMs: Double, figures: Figures) {
        self.provider = provider
        self.method = method
        self.transport = transport
        self.successes = successes
        self.failures = failures
        self.meanMs = meanMs
        self.figures = figures
    }

    public subscript<Value>(dynamicMember path: KeyPath<Figures, Value>) -> Value { figures[keyPath: path] }

    var key: MetricKey { MetricKey(providerID: provider, method: method, transport: transport) }

    enum CodingKeys: String, CodingKey {
        case provider, method, transport, successes, failures
        case meanMs = "mean_ms"
    }

    // The figures' members sit beside the row's in the same JSON object.
    public init(from decoder: any Decoder) throws {
        let row = try decoder.container(keyedBy: CodingKeys.self)
        provider = try row.decode(String.self, forKey: .provider)
        method = try row.decode(String.self, forKey: .method)
        transport = try row.decode(TransportKind.self, forKey: .transport)
        successes = try row.decode(UInt64.self, forKey: .successes)
        failures = try row.decode(UInt64.self, forKey: .failures)
        meanMs = try row.decode(Double.self, forKey: .meanMs)
        figures = try Figures(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var row = encoder.container(keyedBy: CodingKeys.self)
        try row.encode(provider, forKey: .provider)
        try row.encode(method, forKey: .method)
        try row.encode(transport, forKey: .transport)
        try row.encode(successes, forKey: .successes)
        try row.encode(failures, forKey: .failures)
        try row.encode(meanMs, forKey: .meanMs)
        try figures.encode(to: encoder)
    }
}
