import Foundation
import Testing
@testable import Lasso

@Suite struct LassoConfigTests {
    static let minimal = """
        chains:
          ethereum:
            chain_id: 1
            providers:
              - {id: a, url: "https://a.example/key"}
        """

    @Test func minimalConfigTakesEveryDefault() throws {
        let config = try LassoConfig.parse(yaml: Self.minimal, environment: [:])
        #expect(config.server == ServerConfig(host: "127.0.0.1", port: 4000, adminSocket: "lassod.sock", maxBodyBytes: 1_048_576))
        #expect(config.selection.defaultStrategy == .fastest)
        #expect(config.circuitBreaker == CircuitBreakerConfig(failureThreshold: 5, recoveryTimeout: .seconds(60), successThreshold: 2))
        #expect(config.observability == ObservabilityConfig(logLevel: .info, includeParamsDigest: true, maxErrorMessageChars: 256,
                                                            maxMetaHeaderBytes: 4096, samplingRate: 1.0))
        #expect(config.subscriptions == SubscriptionsConfig(maxBackfillBlocks: 32, backfillTimeout: .seconds(30),
                                                            subscriptionTimeout: .seconds(10), enableGapFilling: true))
        let chain = try #require(config.chains.first)
        #expect(chain.key == "ethereum" && chain.name == "ethereum" && chain.chainId == 1 && chain.blockTime == .seconds(12))
        #expect(chain.connection == ConnectionConfig(heartbeatInterval: .seconds(30), reconnectInterval: .seconds(5),
                                                     maxReconnectAttempts: 10))
        #expect(chain.failover == FailoverConfig(maxBackfillBlocks: nil, backfillTimeout: nil, enabled: true))
        #expect(chain.monitoring == MonitoringConfig(probeInterval: .seconds(12), lagThresholdBlocks: 3))
        #expect(chain.allowWriteMethods == false)
        #expect(chain.providers == [ProviderConfig(id: "a", name: "a", priority: 1, tier: .public, url: "https://a.example/key",
                                                   wsURL: nil, poolSize: 4)])
        #expect(chain.providers[0].transports == [.http])
    }

    /// `server.max_connections` is a total that the event loops share; its default grows with the
    /// loops up to a ceiling that leaves descriptors for upstreams under the default limit.
    @Test func maxConnectionsIsSharedByTheLoopsAndDefaultsPerLoop() throws {
        func server(_ yaml: String) throws -> ServerConfig {
            try LassoConfig.parse(yaml: yaml + "\nchains: {e: {chain_id: 1, providers: [{id: a, url: \"https://a.example\"}]}}",
                                  environment: [:]).server
        }
        #expect(try server("server: {event_loops: 1}").maxConnections == 10_000)
        #expect(try server("server: {event_loops: 4}").maxConnections == 40_000)
        #expect(try server("server: {event_loops: 64}").maxConnections == 60_000)
        let shared = try server("server: {event_loops: 4, max_connections: 10001}")
        #expect(shared.maxConnections == 10_001 && shared.maxConnectionsPerLoop == 2_501, "each loop's share, rounded up")
        #expect(try server("server: {event_loops: 8, max_connections: 3}").maxConnectionsPerLoop == 1)
        let error = try #require(throws: ConfigError.self) { try server("server: {max_connections: 0}") }
        #expect(error.issues.map(\.description) == ["server.max_connections: must be between 1 and 1000000, found '0' (line 1)"])
    }

    @Test func readsTheIssueExampleExactly() throws {
        let config = try LassoConfig.parse(yaml: """
            server:          {host: 0.0.0.0, port: 4100, admin_socket: /tmp/l.sock, max_body_bytes: 2048}
            selection:       {default_strategy: round_robin}
            circuit_breaker: {failure_threshold: 3, recovery_timeout_ms: 1000, success_threshold: 1}
            observability:   {log_level: debug, include_params_digest: false, max_error_message_chars: 10,
                              max_meta_header_bytes: 100, sampling_rate: 0.25}
            subscriptions:   {max_backfill_blocks: 0, backfill_timeout_ms: 5, subscription_timeout_ms: 6,
                              enable_gap_filling: false}
            chains:
              ethereum:
                chain_id: 1
                name: "Ethereum Mainnet"
                block_time_ms: 12_000
                providers:
                  - {id: ethereum_ankr, name: "Ankr Public", priority: 7, type: paid,
                     url: "https://rpc.ankr.com/eth", ws_url: "wss://rpc.ankr.com/eth/ws", pool_size: 8}
                  - {id: second, url: "http://127.0.0.1:8545"}
                connection: {heartbeat_interval: 1, reconnect_interval: 2, max_reconnect_attempts: 0}
                failover:   {max_backfill_blocks: 50, backfill_timeout: 3, enabled: false}
                monitoring: {probe_interval_ms: 4, lag_threshold_blocks: 0}
                allow_write_methods: true
              base: {chain_id: 8453, providers: [{id: b, url: "https://b.example"}]}
            """, environment: [:])
        #expect(config.server == ServerConfig(host: "0.0.0.0", port: 4100, adminSocket: "/tmp/l.sock", maxBodyBytes: 2048))
        #expect(config.selection.defaultStrategy == .roundRobin)
        #expect(config.circuitBreaker == CircuitBreakerConfig(failureThreshold: 3, recoveryTimeout: .milliseconds(1000),
                                                              successThreshold: 1))
        #expect(config.observability == ObservabilityConfig(logLevel: .debug, includeParamsDigest: false, maxErrorMessageChars: 10,
                                                            maxMetaHeaderBytes: 100, samplingRate: 0.25))
        #expect(config.subscriptions == SubscriptionsConfig(maxBackfillBlocks: 0, backfillTimeout: .milliseconds(5),
                                                            subscriptionTimeout: .milliseconds(6),
                                                            enableGapFilling: false))
        #expect(config.chains.map(\.key) == ["ethereum", "base"])
        let eth = config.chains[0]
        #expect(eth.name == "Ethereum Mainnet" && eth.blockTime == .seconds(12) && eth.allowWriteMethods)
        #expect(eth.providers[0] == ProviderConfig(id: "ethereum_ankr", name: "Ankr Public", priority: 7, tier: .paid,
                                                   url: "https://rpc.ankr.com/eth", wsURL: "wss://rpc.ankr.com/eth/ws", poolSize: 8))
        #expect(eth.providers[0].transports == [.http, .ws])
        #expect(eth.providers[1].priority == 2)
        #expect(eth.connection == ConnectionConfig(heartbeatInterval: .milliseconds(1), reconnectInterval: .milliseconds(2),
                                                   maxReconnectAttempts: 0))
        #expect(eth.failover == FailoverConfig(maxBackfillBlocks: 50, backfillTimeout: .milliseconds(3), enabled: false))
        #expect(eth.monitoring == MonitoringConfig(probeInterval: .milliseconds(4), lagThresholdBlocks: 0))
        #expect(config.chain(named: "8453")?.key == "base")
        #expect(config.chain(named: "base")?.chainId == 8453)
    }

    /// The file keeps counting milliseconds (`block_time_ms`); the decoder turns them into a
    /// `Duration` at the edge, with the range check and its wording as they were, and the
    /// summary prints milliseconds again.
    @Test func millisecondKeysDecodeToDurationsWithTheSameRangeErrors() throws {
        let fast = try LassoConfig.parse(yaml: """
            chains:
              fast:
                chain_id: 10
                block_time_ms: 250
                providers: [{id: a, url: "https://a.example"}]
            """, environment: [:])
        let chain = try #require(fast.chains.first)
        #expect(chain.blockTime == .milliseconds(250))
        #expect(ConfigSummary(config: fast, source: "f.yml").description.contains("block time 250 ms,"))
        #expect(Duration.milliseconds(Int.max).wholeMilliseconds == Int.max,
                "the largest value the file accepts prints back as given")
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: """
                circuit_breaker: {recovery_timeout_ms: -5}
                chains:
                  fast:
                    chain_id: 10
                    block_time_ms: 0
                    providers: [{id: a, url: "https://a.example"}]
                """, environment: [:])
        }
        #expect(error.issues.map(\.description) == [
            "circuit_breaker.recovery_timeout_ms: must be a positive integer, found '-5' (line 1)",
            "chains.fast.block_time_ms: must be a positive integer, found '0' (line 5)",
        ])
    }

    @Test func collectsEveryErrorWithPathAndLine() throws {
        let yaml = """
            server:
              port: 70000
              hots: x
            selection: {default_strategy: fastst}
            observability: {sampling_rate: 1.5, log_level: loud}
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: a, url: "https://a.example"}
                  - id: b
                    url: "ftp://b.example/SECRET"
                  - {id: a, url: "https://c.example", ws_url: "https://c.example/SECRET"}
                  - {url: "https://d.example", priority: -1, type: free}
              base:
                chain_id: 1
                providers: []
              polygon:
                providers: [{id: p, url: "https://p.example"}]
                block_time_ms: fast
                allow_write_methods: yes
            """
        let error = try #require(throws: ConfigError.self) { try LassoConfig.parse(yaml: yaml, environment: [:]) }
        #expect(error.issues.map(\.description) == [
            "server.port: must be between 1 and 65535, found '70000' (line 2)",
            "server.hots: unknown key (did you mean host?) (line 3)",
            "selection.default_strategy: unknown value 'fastst' (expected fastest, cheapest, priority, round_robin) (line 4)",
            "observability.log_level: unknown value 'loud' (expected debug, info, warning, error) (line 5)",
            "observability.sampling_rate: must be between 0.0 and 1.0, found '1.5' (line 5)",
            "chains.ethereum.providers[1].url: not an http(s) URL (line 12)",
            "chains.ethereum.providers[2].ws_url: not a ws(s) URL (line 13)",
            "chains.ethereum.providers[2].id: duplicate provider id 'a' (first used on line 10) (line 13)",
            "chains.ethereum.providers[3].id: required key is missing (line 14)",
            "chains.ethereum.providers[3].priority: must be at least 0, found '-1' (line 14)",
            "chains.ethereum.providers[3].type: unknown value 'free' (expected public, paid) (line 14)",
            "chains.base.providers: at least one provider is required (line 17)",
            "chains.polygon.chain_id: required key is missing (line 19)",
            "chains.polygon.block_time_ms: expected an integer, found 'fast' (line 20)",
            "chains.polygon.allow_write_methods: expected true or false, found 'yes' (line 21)",
        ])
        #expect(!error.description.contains("SECRET"))
        #expect(error.description.split(separator: "\n").count == error.issues.count)
    }

    @Test func duplicateChainIdsAndKeysAreReported() throws {
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: """
                chains:
                  ethereum: {chain_id: 1, providers: [{id: a, url: "https://a.example"}]}
                  mainnet: {chain_id: 1, providers: [{id: a, url: "https://a.example"}]}
                  ethereum: {chain_id: 5, providers: [{id: a, url: "https://a.example"}]}
                  "123": {chain_id: 9, providers: [{id: a, url: "https://a.example"}]}
                """, environment: [:])
        }
        #expect(error.issues.map(\.description) == [
            "chains.mainnet.chain_id: chain id 1 is already used by chains.ethereum (line 3)",
            "chains.ethereum: duplicate key (line 4)",
            "chains.123: chain names must use letters, digits, '_', '-' and '.', and not be all digits (line 5)",
        ])
    }

    @Test func missingChainsAndWrongShapes() throws {
        let missing = try #require(throws: ConfigError.self) { try LassoConfig.parse(yaml: "server: {port: 1}\n", environment: [:]) }
        #expect(missing.issues.map(\.description) == ["chains: required key is missing (line 1)"])
        let emptyFile = try #require(throws: ConfigError.self) { try LassoConfig.parse(yaml: "", environment: [:]) }
        #expect(emptyFile.issues.map(\.description) == ["chains: required key is missing (line 1)"])
        let list = try #require(throws: ConfigError.self) { try LassoConfig.parse(yaml: "- a\n- b\n", environment: [:]) }
        #expect(list.issues.map(\.description) == ["(top level): expected a mapping, found a list (line 1)"])
        let empty = try #require(throws: ConfigError.self) { try LassoConfig.parse(yaml: "chains: {}\n", environment: [:]) }
        #expect(empty.issues.map(\.description) == ["chains: at least one chain is required (line 1)"])
        let scalarProviders = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "chains:\n  x: {chain_id: 2, providers: {id: a}, name: [1]}\n", environment: [:])
        }
        #expect(scalarProviders.issues.map(\.description) == [
            "chains.x.name: expected a single value, found a list (line 2)",
            "chains.x.providers: expected a list, found a mapping (line 2)",
        ])
    }

    @Test func anAdminSocketPathNoSocketCanHaveIsAConfigError() throws {
        let long = "/tmp/" + String(repeating: "s", count: 110) + ".sock"
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "server: {admin_socket: \"\(long)\"}\n" + Self.minimal, environment: [:])
        }
        #expect(error.issues.map(\.description) == [
            "server.admin_socket: longer than \(AdminSocketPath.maxBytes) bytes (line 1)",
        ])
        let abstract = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "server:\n  admin_socket: \"@lassod\"\n" + Self.minimal, environment: [:])
        }
        #expect(abstract.issues.count == 1 && abstract.issues[0].description.hasPrefix("server.admin_socket: abstract")
                && abstract.issues[0].line == 2, "\(abstract.issues)")
    }

    @Test func issuesAreListedInFileOrder() throws {
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: """
                chains:
                  eth: {chain_id: 0, providers: [{id: a, url: "https://a.example"}]}
                server: {port: 0}
                selection: {default_strategy: nope}
                """, environment: [:])
        }
        #expect(error.issues.compactMap(\.line) == [2, 3, 4])
    }

    @Test func syntaxErrorsBecomeConfigErrors() throws {
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "chains:\n  ethereum: {chain_id: 1\n", environment: [:])
        }
        #expect(error.issues.count == 1)
        let issue = try #require(error.issues.first)
        #expect(issue.path.isEmpty && issue.line != nil && issue.column != nil)
    }

    @Test func substitutesEnvironmentVariablesInAnyValue() throws {
        let config = try LassoConfig.parse(yaml: """
            server: {port: "${PORT}"}
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alchemy, url: "https://eth.example/v2/${KEY}", ws_url: "wss://eth.example/${KEY}/${KEY}"}
            """, environment: ["PORT": "4321", "KEY": "s3cr3t"])
        #expect(config.server.port == 4321)
        #expect(config.chains[0].providers[0].url == "https://eth.example/v2/s3cr3t")
        #expect(config.chains[0].providers[0].wsURL == "wss://eth.example/s3cr3t/s3cr3t")
    }

    @Test func unsetVariableNamesVariableAndPathButNoValues() throws {
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: """
                server: {port: "${PORT}", host: "${HOST"}
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                      - {id: alchemy, url: "https://eth.example/v2/${ALCHEMY_KEY}"}
                """, environment: ["PORT": "notaport-s3cr3t"])
        }
        #expect(error.issues.map(\.description) == [
            "server.host: malformed ${...} reference (expected ${NAME} with letters, digits and _) (line 1)",
            "server.port: expected an integer (line 1)",
            "chains.ethereum.providers[0].url: environment variable ALCHEMY_KEY is not set (line 6)",
        ])
        #expect(!error.description.contains("s3cr3t"))
    }

    @Test func substitutionLeavesLoneDollarsAlone() throws {
        #expect(try EnvironmentSubstitution.apply(to: "a$b $ {x}", environment: [:]) == ("a$b $ {x}", false))
        #expect(try EnvironmentSubstitution.apply(to: "${A}${B}-${A}", environment: ["A": "1", "B": "2"]) == ("12-1", true))
        #expect(throws: EnvironmentSubstitution.Failure.malformed) { try EnvironmentSubstitution.apply(to: "${1A}", environment: [:]) }
        #expect(throws: EnvironmentSubstitution.Failure.unset("B")) {
            try EnvironmentSubstitution.apply(to: "${A}${B}", environment: ["A": "x"])
        }
    }

    @Test func shippedConfigValidates() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("config/chains.yml").path
        let config = try LassoConfig.load(path: path, environment: [:])
        #expect(config.chains.map(\.key) == ["ethereum", "base", "polygon", "arbitrum"])
        #expect(config.chains.map(\.chainId) == [1, 8453, 137, 42161])
        for chain in config.chains {
            #expect((2...4).contains(chain.providers.count), "\(chain.key) has \(chain.providers.count) providers")
            #expect(chain.providers.contains { $0.wsURL != nil }, "\(chain.key) has no WebSocket provider")
            #expect(chain.providers.allSatisfy { $0.tier == .public })
        }
        #expect(config == (try LassoConfig.parse(yaml: String(contentsOfFile: path, encoding: .utf8), environment: [:])))
    }

    @Test func unreadableFileIsAConfigError() throws {
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.load(path: "/nonexistent/chains.yml", environment: [:])
        }
        #expect(error.issues.count == 1)
        #expect(error.description.contains("/nonexistent/chains.yml"))
    }
}
