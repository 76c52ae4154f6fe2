import Foundation

/// The whole of `config/chains.yml`, typed and validated.
///
/// Loading either returns a config in which every value is in range and every reference
/// resolves, or throws a `ConfigError` listing every problem with its key path and line:
///
/// ```
/// chains.ethereum.providers[1].url: not an http(s) URL (line 14)
/// chains.base.chain_id: chain id 1 is already used by chains.ethereum (line 30)
/// ```
///
/// All sections but `chains` are optional; an absent section or key takes the default shown on
/// its type. `${NAME}` inside any value is replaced from `environment` before the value is read.
public struct LassoConfig: Sendable, Equatable {
    /// `server:`.
    public var server: ServerConfig
    /// `selection:`.
    public var selection: SelectionConfig
    /// `circuit_breaker:`.
    public var circuitBreaker: CircuitBreakerConfig
    /// `observability:`.
    public var observability: ObservabilityConfig
    /// `subscriptions:`.
    public var subscriptions: SubscriptionsConfig
    /// `benchmarks:`.
    public var benchmarks: BenchmarksConfig
    /// `chains:`, in file order.
    public var chains: [ChainConfig]

    /// Creates a config.
    public init(server: ServerConfig = .init(), selection: SelectionConfig = .init(),
                circuitBreaker: CircuitBreakerConfig = .init(), observability: ObservabilityConfig = .init(),
                subscriptions: SubscriptionsConfig = .init(), benchmarks: BenchmarksConfig = .init(),
                chains: [ChainConfig]) {
        self.server = server
        self.selection = selection
        self.circuitBreaker = circuitBreaker
        self.observability = observability
        self.subscriptions = subscriptions
        self.benchmarks = benchmarks
        self.chains = chains
    }

    /// The chain with this key (`ethereum`) or this decimal chain id (`1`).
    public func chain(named name: String) -> ChainConfig? {
        chains.first { $0.key == name } ?? Int(name).flatMap { id in chains.first { $0.chainId == id } }
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigError) -> LassoConfig
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let issue = ConfigIssue(path: "", message: "cannot read \(path): \(error.localizedDescription)", line: nil)
            throw ConfigError(issues: [issue])
        }
        return try parse(yaml: text, environment: environment)
    }

    /// Parses and validates YAML text.
    public static func parse(yaml: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigError) -> LassoConfig
    {
        let root: YAMLNode
        do {
            root = try YAMLDocument.parse(yaml)
        } catch {
            throw ConfigError(issues: [ConfigIssue(path: "", message: error.message, line: error.line, column: error.column)])
        }
        var decoder = ConfigDecoder(environment: environment)
        let config = decode(root, &decoder)
        guard decoder.issues.isEmpty, let config else {
            // Sections are read in schema order; the reader of `check-config` wants file order.
            let inFileOrder = decoder.issues.enumerated().sorted {
                ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset)
            }
            throw ConfigError(issues: inFileOrder.map(\.element))
        }
        return config
    }

    static let keys = ["server", "selection", "circuit_breaker", "observability", "subscriptions", "benchmarks", "chains"]

    private static func decode(_ root: YAMLNode, _ decoder: inout ConfigDecoder) -> LassoConfig? {
        guard let fields = decoder.fields(of: root, path: "", allowed: keys) else { return nil }
        func section(_ key: String, _ allowed: [String]) -> ConfigFields? {
            guard let node = fields.values[key] else { return nil }
            return decoder.fields(of: node, path: key, allowed: allowed)
        }
        let server = section("server", ServerConfig.keys).map { ServerConfig($0, &decoder) }
        let selection = section("selection", SelectionConfig.keys).map { SelectionConfig($0, &decoder) }
        let breaker = section("circuit_breaker", CircuitBreakerConfig.keys).map { CircuitBreakerConfig($0, &decoder) }
        let observability = section("observability", ObservabilityConfig.keys).map { ObservabilityConfig($0, &decoder) }
        let subscriptions = section("subscriptions", SubscriptionsConfig.keys).map { SubscriptionsConfig($0, &decoder) }
        let benchmarks = section("benchmarks", BenchmarksConfig.keys).map { BenchmarksConfig($0, &decoder) }
        let chains = decodeChains(fields, &decoder)
        var resolvedServer = server ?? .init()
        resolvedServer.region = Region.resolve(configured: resolvedServer.region, environment: decoder.environment)
        if let region = resolvedServer.region, let problem = Region.problem(with: region) {
            let fromEnvironment = !(decoder.environment[Region.environmentVariable] ?? "").isEmpty
            decoder.report(fromEnvironment ? Region.environmentVariable : "server.region", problem, line: nil)
            resolvedServer.region = nil
        }
        return LassoConfig(server: resolvedServer, selection: selection ?? .init(), circuitBreaker: breaker ?? .init(),
                           observability: observability ?? .init(), subscriptions: subscriptions ?? .init(),
                           benchmarks: benchmarks ?? .init(), chains: chains)
    }

    private static func decodeChains(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) -> [ChainConfig] {
        guard let node = fields.values["chains"] else {
            decoder.report("chains", "required key is missing", line: fields.line)
            return []
        }
        guard let pairs = node.mapping else {
            decoder.report("chains", "expected a mapping of chain name to chain, found \(node.kindDescription)", line: node.line)
            return []
        }
        // Chain names are free-form, so this call only checks for duplicate and non-scalar keys.
        _ = decoder.fields(of: node, path: "chains", allowed: pairs.compactMap(\.key.scalar?.text))
        if pairs.isEmpty { decoder.report("chains", "at least one chain is required", line: node.line) }
        var chains: [ChainConfig] = []
        var keyOfChainId: [Int: String] = [:]
        var visited: Set<String> = []
        for pair in pairs {
            guard let key = pair.key.scalar?.text, visited.insert(key).inserted,
                  let chainFields = decoder.fields(of: pair.value, path: "chains.\(key)", allowed: ChainConfig.keys),
                  let chain = ChainConfig(key: key, keyLine: pair.key.line, chainFields, &decoder)
            else { continue }
            if let other = keyOfChainId[chain.chainId] {
                decoder.report("chains.\(key).chain_id", "chain id \(chain.chainId) is already used by chains.\(other)",
                               line: chainFields.values["chain_id"]?.line)
                continue
            }
            keyOfChainId[chain.chainId] = key
            chains.append(chain)
        }
        return chains
    }
}
