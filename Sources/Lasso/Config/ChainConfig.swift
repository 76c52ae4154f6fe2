/// One chain of `chains:` with its providers and per-chain settings.
///
/// The mapping key (`ethereum` in `chains: {ethereum: ...}`) is `key`: the name used in routes
/// (`/rpc/ethereum`), logs and the tree (`ChainSupervisor(ethereum)`). Routes also accept the
/// numeric `chainId`, so keys are never all digits.
public struct ChainConfig: Sendable, Equatable {
    /// The mapping key, e.g. `ethereum`.
    public var key: String
    /// EIP-155 chain id, e.g. 1.
    public var chainId: Int
    /// Display name. Default: the key.
    public var name: String
    /// Expected time between blocks (`block_time_ms`). Default 12 s. Routing does not read it
    /// (probes have their own interval, `monitoring.probe_interval_ms`); it paces stall detection
    /// (`StallRule`), and the simulated chains of `lassod demo` make blocks at this pace.
    public var blockTime: Duration
    /// Providers in file order; at least one.
    public var providers: [ProviderConfig]
    /// Upstream WebSocket keep-alive and reconnection.
    public var connection: ConnectionConfig
    /// Subscription failover.
    public var failover: FailoverConfig
    /// Health probes and lag.
    public var monitoring: MonitoringConfig
    /// Whether write methods (`eth_sendRawTransaction`, `eth_sign*`, ...) are forwarded. Default false.
    public var allowWriteMethods: Bool

    /// Creates a chain.
    public init(key: String, chainId: Int, name: String? = nil, blockTime: Duration = .seconds(12),
                providers: [ProviderConfig], connection: ConnectionConfig = .init(), failover: FailoverConfig = .init(),
                monitoring: MonitoringConfig = .init(), allowWriteMethods: Bool = false) {
        self.key = key
        self.chainId = chainId
        self.name = name ?? key
        self.blockTime = blockTime
        self.providers = providers
        self.connection = connection
        self.failover = failover
        self.monitoring = monitoring
        self.allowWriteMethods = allowWriteMethods
    }

    /// The provider with this id.
    public func provider(id: String) -> ProviderConfig? {
        providers.first { $0.id == id }
    }

    static let keys = ["chain_id", "name", "block_time_ms", "providers", "connection", "failover", "monitoring",
                       "allow_write_methods"]

    /// Letters, digits, `_`, `-`, `.`: safe in a URL path segment, a metric label and a log line.
    static func isRouteSafe(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    /// Nil when the chain cannot be used at all; the decoder holds the reasons.
    init?(key: String, keyLine: Int, _ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        var usable = true
        if !Self.isRouteSafe(key) || key.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            decoder.report(fields.path, "chain names must use letters, digits, '_', '-' and '.', and not be all digits",
                           line: keyLine)
            usable = false
        }
        _ = decoder.require(fields, "chain_id")
        let chainId = decoder.int(fields, "chain_id", in: 1...Int.max)
        let name = decoder.string(fields, "name")
        let blockTime = decoder.milliseconds(fields, "block_time_ms", in: 1...Int.max) ?? .seconds(12)
        let providers = Self.decodeProviders(fields, &decoder)
        let connection = Self.section(fields, "connection", ConnectionConfig.keys, &decoder)
            .map { ConnectionConfig($0, &decoder) }
        let failover = Self.section(fields, "failover", FailoverConfig.keys, &decoder)
            .map { FailoverConfig($0, &decoder) }
        let monitoring = Self.section(fields, "monitoring", MonitoringConfig.keys, &decoder)
            .map { MonitoringConfig($0, &decoder) }
        let allowWrites = decoder.bool(fields, "allow_write_methods") ?? false
        guard usable, let chainId, let providers else { return nil }
        self.init(key: key, chainId: chainId, name: name, blockTime: blockTime, providers: providers,
                  connection: connection ?? .init(), failover: failover ?? .init(), monitoring: monitoring ?? .init(),
                  allowWriteMethods: allowWrites)
    }

    private static func section(_ fields: ConfigFields, _ key: String, _ allowed: [String],
                                _ decoder: inout ConfigDecoder) -> ConfigFields? {
        guard let node = fields.values[key] else { return nil }
        return decoder.fields(of: node, path: fields.path(key), allowed: allowed)
    }

    private static func decodeProviders(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) -> [ProviderConfig]? {
        let path = fields.path("providers")
        guard let node = fields.values["providers"] else {
            decoder.report(path, "at least one provider is required", line: fields.line)
            return nil
        }
        guard let elements = node.sequence else {
            decoder.report(path, "expected a list, found \(node.kindDescription)", line: node.line)
            return nil
        }
        if elements.isEmpty {
            decoder.report(path, "at least one provider is required", line: node.line)
            return nil
        }
        var providers: [ProviderConfig] = []
        var firstLineOfId: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            guard let providerFields = decoder.fields(of: element, path: "\(path)[\(index)]", allowed: ProviderConfig.keys),
                  let provider = ProviderConfig(providerFields, &decoder, position: index + 1)
            else { continue }
            let idLine = providerFields.values["id"]?.line ?? element.line
            if let earlier = firstLineOfId[provider.id] {
                decoder.report(providerFields.path("id"),
                               "duplicate provider id '\(provider.id)' (first used on line \(earlier))", line: idLine)
                continue
            }
            firstLineOfId[provider.id] = idLine
            providers.append(provider)
        }
        return providers
    }
}
