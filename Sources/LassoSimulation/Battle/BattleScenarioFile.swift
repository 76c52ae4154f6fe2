import Foundation
import Lasso

extension Battle {
    /// A scenario written in YAML (read by lassod's libyaml reader), for `lassod battle FILE`:
    ///
    /// ```yaml
    /// name: my-failover
    /// duration: 20s
    /// seed: 7
    /// chains:
    ///   ethereum:
    ///     chain_id: 1
    ///     block_time_ms: 2000
    ///     probe_interval_ms: 200       # lassod's monitoring.probe_interval_ms (optional)
    ///     providers: [{id: a, latency_ms: 10}, {id: b, latency_ms: 25}]
    /// workloads:
    ///   - {chain: ethereum, concurrency: 20, strategy: fastest, methods: {eth_blockNumber: 3, eth_chainId: 1}}
    /// subscriptions:                   # WebSocket clients on newHeads (and the transfers logs filter)
    ///   - {chain: ethereum, clients: 100, logs: true}
    /// circuit_breaker: {failure_threshold: 5, recovery_timeout_ms: 2000, success_threshold: 2}
    /// chaos:
    ///   - {action: kill, target: fastest:ethereum, at: 2s, every: 6s, restore_after: 2s}
    ///   - {action: degrade, target: b, behaviors: [slow:300, erroring], step: 500ms, at: 10s}
    ///   - {action: restart_chain, chain: ethereum, at: 15s}
    ///   - {action: kill_node, path: "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool", at: 5s}
    ///   - {action: kill_random_node, under: "Application/ChainsSupervisor", at: 1s, every: 2s}
    ///   - {action: open_breaker, chain: ethereum, provider: a, at: 3s}
    /// slos:
    ///   - {success_rate: 1.0}
    ///   - {p95_above_simulated_ms: 50, chain: ethereum}
    /// ```
    /// Behaviours: `killed`, `down`, `healthy`, `hanging`, `stalled_subscription`, `erroring`
    /// (`erroring:http` for HTTP 500), `slow:MS`, `slow_http:MS`, `lagging:N`, `rate_limited:S`.
    /// SLOs: `success_rate` (optional `chain`), `p95_ms`, `p99_ms`, `p95_above_simulated_ms` + `chain`,
    /// `recovery_ms`, `tree_whole_ms`, `retry_after_max_requests`, `min_requests`, `stream_gaps_max`,
    /// `stream_duplicates_max`, `streams_in_order: true`, `failover_p99_ms` (+ `key`: newHeads, logs or all). Targets: a provider id,
    /// `fastest:CHAIN`, `serving:CHAIN`, `subscribed:CHAIN`. `circuit_breaker` takes lassod's keys.
    public enum ScenarioFile {
        /// What is wrong with a scenario file, with the line.
        public struct Problem: Error, CustomStringConvertible {
            public let description: String
        }

        public static func load(path: String) throws -> Scenario {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try parse(text, defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        }

        public static func parse(_ text: String, defaultName: String = "scenario") throws -> Scenario {
            let root = try YAMLDocument.parse(text)
            guard root.mapping != nil else { throw Problem(description: "a scenario file is a mapping") }
            var scenario = Scenario(root["name"]?.scalar?.text ?? defaultName, summary: root["summary"]?.scalar?.text ?? "")
            if let duration = root["duration"] { scenario.durationMs = try milliseconds(duration) }
            if let seed = root["seed"] { scenario.seed = try number(seed) }
            for pair in root["chains"]?.mapping ?? [] {
                let key = pair.key.scalar?.text ?? ""
                let node = pair.value
                let providers = try (node["providers"]?.sequence ?? []).map { provider in
                    guard let id = provider["id"]?.scalar?.text else { throw problem(provider, "a provider needs an id") }
                    return ProviderSetup(id: id, latencyMs: try provider["latency_ms"].map(number) ?? 0)
                }
                scenario = scenario.chain(key, chainID: try node["chain_id"].map(number) ?? 1,
                                          blockTimeMs: try node["block_time_ms"].map(number) ?? 2_000, providers: providers,
                                          probeIntervalMs: try node["probe_interval_ms"].map(number))
            }
            for node in root["workloads"]?.sequence ?? [] {
                guard let chain = node["chain"]?.scalar?.text else { throw problem(node, "a workload needs a chain") }
                var methods: [(Workload.Method, Int)] = []
                for pair in node["methods"]?.mapping ?? [] {
                    guard let method = Workload.Method(rawValue: pair.key.scalar?.text ?? "") else {
                        let known = Workload.Method.allCases.map(\.rawValue).joined(separator: ", ")
                        throw problem(pair.key, "unknown method; one of \(known)")
                    }
                    methods.append((method, try number(pair.value)))
                }
                let concurrency: Int = try node["concurrency"].map(number) ?? 10
                scenario = scenario.workload(methods.isEmpty
                    ? Workload(chain: chain, concurrency: concurrency, strategy: node["strategy"]?.scalar?.text)
                    : Workload(chain: chain, concurrency: concurrency, methods: methods, strategy: node["strategy"]?.scalar?.text))
            }
            for node in root["subscriptions"]?.sequence ?? [] {
                guard let chain = node["chain"]?.scalar?.text else { throw problem(node, "a subscription workload needs a chain") }
                let logs = node["logs"]?.scalar?.text
                guard logs == nil || logs == "true" || logs == "false" else { throw problem(node, "logs is true or false") }
                scenario = scenario.subscriptions(SubscriptionWorkload(chain: chain, clients: try node["clients"].map(number) ?? 10,
                                                                       logs: logs != "false"))
            }
            if let node = root["circuit_breaker"] { scenario.circuitBreaker = try circuitBreaker(node) }
            for node in root["chaos"]?.sequence ?? [] { scenario = scenario.chaos(try chaos(node)) }
            for node in root["slos"]?.sequence ?? [] { scenario = scenario.slo(try slo(node)) }
            return scenario
        }

        static func problem(_ node: YAMLNode, _ text: String) -> Problem {
            Problem(description: "line \(node.line): \(text)")
        }

        static func number<Value: FixedWidthInteger>(_ node: YAMLNode) throws -> Value {
            guard let text = node.scalar?.text, let value = Value(text) else { throw problem(node, "expected a whole number") }
            return value
        }

        static func double(_ node: YAMLNode) throws -> Double {
            guard let text = node.scalar?.text, let value = Double(text) else { throw problem(node, "expected a number") }
            return value
        }

        static func milliseconds(_ node: YAMLNode) throws -> Int {
            guard let text = node.scalar?.text, let ms = BattleOptions.milliseconds(text) else {
                throw problem(node, "expected a duration such as 30s, 500ms or 2m")
            }
            return ms
        }

        /// lassod's `circuit_breaker` section: the same keys, each a positive whole number.
        static func circuitBreaker(_ node: YAMLNode) throws -> CircuitBreakerConfig {
            guard let pairs = node.mapping else {
                throw problem(node, "circuit_breaker is a mapping of failure_threshold, recovery_timeout_ms, success_threshold")
            }
            var breaker = CircuitBreakerConfig()
            for pair in pairs {
                let value: Int = try number(pair.value)
                guard value > 0 else { throw problem(pair.value, "must be positive") }
                switch pair.key.scalar?.text {
                case "failure_threshold": breaker.failureThreshold = value
                case "recovery_timeout_ms": breaker.recoveryTimeout = .milliseconds(value)
                case "success_threshold": breaker.successThreshold = value
                default:
                    throw problem(pair.key, "unknown circuit_breaker key; one of failure_threshold, recovery_timeout_ms, "
                                  + "success_threshold")
                }
            }
            return breaker
        }

        static func target(_ node: YAMLNode?, _ owner: YAMLNode) throws -> Chaos.Target {
            guard let text = node?.scalar?.text else {
                throw problem(owner, "needs a target (a provider id, fastest:CHAIN, serving:CHAIN or subscribed:CHAIN)")
            }
            if text.hasPrefix("fastest:") { return .fastest(chain: String(text.dropFirst("fastest:".count))) }
            if text.hasPrefix("serving:") { return .serving(chain: String(text.dropFirst("serving:".count))) }
            if text.hasPrefix("subscribed:") { return .subscribed(chain: String(text.dropFirst("subscribed:".count))) }
            return .provider(text)
        }

        static func behavior(_ node: YAMLNode) throws -> SimulatedProviderBehavior {
            let text = node.scalar?.text ?? ""
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            let argument = parts.count == 2 ? UInt64(parts[1]) : nil
            switch (parts.first ?? "", argument) {
            case ("healthy", _): return .healthy
            case ("down", _): return .down
            case ("killed", _): return .killed
            case ("hanging", _): return .hanging
            case ("stalled_subscription", _): return .stalledSubscription
            case ("erroring", _): return .erroring(parts.count == 2 && parts[1] == "http" ? .httpServerError : .internalError)
            case ("slow", let ms?): return .slow(latencyMs: ms)
            case ("slow_http", let ms?): return .slowHTTP(latencyMs: ms)
            case ("lagging", let blocks?): return .lagging(blocks: blocks)
            case ("rate_limited", let seconds?): return .rateLimited(retryAfterSeconds: seconds)
            default: throw problem(node, "unknown behaviour \"\(text)\"")
            }
        }

        static func chaos(_ node: YAMLNode) throws -> Chaos {
            let at = try node["at"].map(milliseconds) ?? 0
            let every = try node["every"].map(milliseconds)
            let restore = try node["restore_after"].map(milliseconds)
            func text(_ key: String) throws -> String {
                guard let value = node[key]?.scalar?.text else { throw problem(node, "needs \(key)") }
                return value
            }
            let action: Chaos.Action
            switch node["action"]?.scalar?.text {
            case "kill": action = .kill(try target(node["target"], node), restoreAfterMs: restore)
            case "flap":
                let down = try node["down"].map(milliseconds) ?? 1_000
                action = .flap(try target(node["target"], node), downMs: down)
            case "degrade":
                action = .degrade(try target(node["target"], node), behaviors: try (node["behaviors"]?.sequence ?? []).map(behavior),
                                  stepMs: try node["step"].map(milliseconds) ?? 500, restoreAfterMs: restore)
            case "open_breaker": action = .openBreaker(chain: try text("chain"), provider: try text("provider"), transport: .http)
            case "restart_chain": action = .restartChain(try text("chain"))
            case "kill_node": action = .killNode(path: try text("path"))
            case "kill_random_node": action = .killRandomNode(under: try text("under"))
            default:
                throw problem(node, "action must be kill, flap, degrade, open_breaker, restart_chain, kill_node or kill_random_node")
            }
            return Chaos(action, at: at, every: every)
        }

        static func slo(_ node: YAMLNode) throws -> SLO {
            let chain = node["chain"]?.scalar?.text
            if let value = node["success_rate"] { return .successRate(atLeast: try double(value), chain: chain) }
            if let value = node["p95_ms"] { return .p95(atMostMs: try double(value)) }
            if let value = node["p99_ms"] { return .p99(atMostMs: try double(value)) }
            if let value = node["p95_above_simulated_ms"] {
                guard let chain else { throw problem(node, "p95_above_simulated_ms needs a chain") }
                return .p95AboveSimulated(atMostMs: try double(value), chain: chain)
            }
            if let value = node["recovery_ms"] { return .recovery(atMostMs: try double(value)) }
            if let value = node["tree_whole_ms"] { return .treeWhole(withinMs: try double(value)) }
            if let value = node["retry_after_max_requests"] { return .retryAfterHonoured(maxRequests: try number(value)) }
            if let value = node["min_requests"] { return .minimumRequests(try number(value)) }
            if let value = node["stream_gaps_max"] { return .streamGaps(atMost: try number(value)) }
            if let value = node["stream_duplicates_max"] { return .streamDuplicates(atMost: try number(value)) }
            if let value = node["streams_in_order"] {
                guard value.scalar?.text == "true" else { throw problem(value, "streams_in_order takes true") }
                return .streamsInOrder
            }
            if let value = node["failover_p99_ms"] {
                let key = node["key"]?.scalar?.text ?? "newHeads"
                return .failoverP99(atMostMs: try double(value), key: key == "all" ? nil : key)
            }
            throw problem(node, "unknown SLO; one of success_rate, p95_ms, p99_ms, p95_above_simulated_ms, recovery_ms, "
                          + "tree_whole_ms, retry_after_max_requests, min_requests, stream_gaps_max, "
                          + "stream_duplicates_max, streams_in_order, failover_p99_ms")
        }
    }
}
