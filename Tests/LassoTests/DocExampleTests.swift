import Foundation
import Testing
@testable import Lasso
import Supervision

/// The doc-comment examples of the domain's Observability, JSON-RPC, Config, Subscriptions, Tree
/// and Admin folders, as written there (placeholders filled in), so an example that stops
/// matching the API fails to compile here and one whose comment lies fails an expectation.
@Suite struct LassoDocExampleTests {
    static let yaml = """
        chains:
          ethereum:
            chain_id: 1
            providers:
              - {id: ethereum_ankr, url: "https://rpc.ankr.com/eth/SECRETKEY", ws_url: "wss://rpc.ankr.com/eth/ws/SECRETKEY"}
        """

    @Test func jsonWriter() {
        var json = JSONWriter()
        json.beginObject()
        json.string("event", "rpc.request.completed")
        json.beginObject("timing"); json.milliseconds("upstream_latency_ms", nanos: 1_500_000); json.endObject()
        json.endObject()
        #expect(String(decoding: json.finish(), as: UTF8.self)
            == #"{"event":"rpc.request.completed","timing":{"upstream_latency_ms":1.5}}"#)
    }

    @Test func jsonRPCErrorBody() {
        let body = JSONRPCErrorBody.make(id: Array("7".utf8), code: JSONRPCErrorBody.methodNotFound, message: "eth_sign is disabled")
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"eth_sign is disabled"}}"#)
    }

    @Test func logger() throws {
        let config = try LassoConfig.parse(yaml: Self.yaml, environment: [:])
        let configs = CurrentConfig(config)
        let sink = CapturingLogSink()
        let logger = Logger(config: config.observability, sink: sink, secretsOf: configs)
        logger.log(.warning, "breaker.transition", ["chain": "ethereum", "provider": "ethereum_ankr", "to": "open"])
        var context = RequestContext(requestID: .random(), chain: "ethereum", method: "eth_blockNumber",
                                     transport: .http, strategy: .fastest, startedAtNanos: 0)
        context.recordSuccess(resultType: .string, atNanos: 1_000)
        logger.logRequestCompleted(context)   // at the end of the pipeline
        logger.flush()                        // at shutdown
        #expect(sink.lines.count == 2)
        #expect(sink.lines.first?.contains(#""level":"warning","event":"breaker.transition","chain":"ethereum","#) == true)
        #expect(sink.lines.last?.contains(#""event":"rpc.request.completed""#) == true)
    }

    @Test func requestContext() {
        let channels = [Channel(providerID: "a", transport: .http), Channel(providerID: "b", transport: .http)]
        let paramsBytes = Array("[]".utf8)
        let (t0, t1, t2, t3, t4): (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 10, 20, 30, 40)
        var context = RequestContext(requestID: .random(), chain: "ethereum", method: "eth_blockNumber",
                                     transport: .http, strategy: .fastest, startedAtNanos: t0)
        paramsBytes.withUnsafeBytes { context.recordParams($0, includeDigest: ObservabilityConfig().includeParamsDigest) }
        context.recordSelection(candidates: channels, startedAtNanos: t0, finishedAtNanos: t1)
        context.recordAttempt(on: channels[0], breakerPhase: .closed, startedAtNanos: t1)   // retries 0
        context.recordAttempt(on: channels[1], breakerPhase: .closed, startedAtNanos: t2)   // retries 1
        context.recordUpstreamResponse(atNanos: t3)
        context.recordSuccess(resultType: .string, atNanos: t4)
        #expect(context.retries == 1 && context.upstreamLatencyNanos == 10 && context.endToEndLatencyNanos == 40)
    }

    @Test func currentConfig() throws {
        let configs = CurrentConfig(try LassoConfig.parse(yaml: Self.yaml, environment: [:]))
        #expect(configs.chain(named: "1")?.key == "ethereum")
        #expect(configs.provider(chain: "ethereum", id: "ethereum_ankr")?.wsURL != nil)
        let reloaded = try LassoConfig.parse(yaml: Self.yaml.replacingOccurrences(of: "SECRETKEY", with: "OTHERKEY"),
                                             environment: [:])
        configs.replace(with: reloaded)
        let upstreamError = "401 for https://rpc.ankr.com/eth/SECRETKEY and OTHERKEY"
        #expect(configs.snapshot.scrubber.scrub(upstreamError) == "401 for https://rpc.ankr.com and [redacted]",
                "keys of every provider so far")
    }

    @Test func configStoreAndTreeControl() async throws {
        let stack = try await TreeControlStack()
        let names = stack.app.services.names
        let store = names.configStore
        let diff = try await store?.call(.reload(path: stack.configPath)).get()   // the ConfigDiff applied
        #expect(diff?.unchanged == ["ethereum", "base", "polygon"])
        try await store?.call(.restartChain("ethereum")).get()            // or throws its AdminError
        await #expect(throws: AdminError.unknownChain("nowhere")) { try await store?.call(.restartChain("nowhere")).get() }

        let control = stack.control
        try await control.restartChain("ethereum")
        let pid = try await control.kill(path: "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool")
        #expect(pid.description.isEmpty == false)
        await stack.shutdown()
    }

    @Test func stoppedChainsAndReloadPlan() throws {
        let stopped = StoppedChains()
        stopped.insert("base")          // ConfigStore, after stop-chain base
        #expect(stopped.contains("base"))

        func config(_ chains: [String]) throws -> LassoConfig {
            try LassoConfig.parse(yaml: "chains:\n" + chains.enumerated().map { index, key in
                "  \(key): {chain_id: \(index + 1), providers: [{id: p, url: \"https://h.example\"}]}\n"
            }.joined(), environment: [:])
        }
        // base failed to restart last time; polygon was removed now, optimism added.
        let diff = ConfigDiff(from: try config(["ethereum", "base", "polygon"]), to: try config(["ethereum", "base", "optimism"]))
        let plan = ReloadPlan(diff: diff, owed: ["base"], configured: ["ethereum", "base", "optimism"])
        #expect(plan.stop == ["polygon"] && plan.restart == [] && plan.replace == ["base"] && plan.start == ["optimism"])
    }

    @Test func subscriptionKeyAndNotification() throws {
        let address = "0x" + String(repeating: "AB", count: 20)
        let key = try SubscriptionKey.parse(params: Array(#"["logs",{"topics":[null],"address":"\#(address)"}]"#.utf8))
        #expect(key.kind == .logs)
        #expect(key.upstreamParams == #"["logs",{"address":["\#(address.lowercased())"]}]"#)

        let upstream = Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xab","result":{}}}"#.utf8)
        let found = try #require(SubscriptionNotification.scan(upstream))      // id "0xab" and where it is
        #expect(found.subscription == "0xab")
        #expect(String(decoding: SubscriptionNotification.readdress(upstream, at: found.range, to: "0x01"), as: UTF8.self)
            == #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{}}}"#)
    }

    @Test func pubSub() async throws {
        struct Idle: GenServer {}
        let chainSupervisor = try await ServerRef.start(label: "ChainSupervisor(ethereum)", runtime: Runtime()) { Idle() }
        let pubsub = PubSub()
        let sink = CapturingLogSink()
        let logger = Logger(minimumLevel: .info, sink: sink)
        let topic = PubSub.topic(chain: "ethereum")
        try pubsub.subscribe(topic, process: chainSupervisor.process) { message in logger.log(.info, message.event) }
        pubsub.publish(PubSub.Message(topic: topic, event: "breaker.transition", fields: ["provider": "alpha", "to": "open"]))
        #expect(sink.lines.count == 1 && sink.lines.first?.contains(#""event":"breaker.transition""#) == true)
        chainSupervisor.stop()
    }

    @Test func adminCommand() async throws {
        let control = RecordingAdminControl()
        let command = try AdminCommand.parse(name: "restart-chain", arguments: ["ethereum"]).get()
        let replyLine = await command.perform(on: control)
        #expect(String(decoding: replyLine, as: UTF8.self) == #"{"ok":true,"result":{"chain":"ethereum","running":true}}"# + "\n")
    }

    @Test func configTextHelpers() throws {
        #expect(try EnvironmentSubstitution.apply(to: "https://x/v2/${KEY}", environment: ["KEY": "abc"])
            == (text: "https://x/v2/abc", substituted: true))
        let root = try YAMLDocument.parse("chains:\n  ethereum: {chain_id: 1}\n")
        #expect(root["chains"]?["ethereum"]?["chain_id"]?.line == 2)
        let server = try YAMLDocument.parse("server:\n  port: 4000\n")
        #expect(server["server"]?["port"]?.scalar?.text == "4000")
        #expect(URLRedaction.redact("https://eth-mainnet.g.alchemy.com/v2/SECRET") == "https://eth-mainnet.g.alchemy.com")
        #expect(URLRedaction.redact("http://user:pw@10.0.0.5:8545/?key=SECRET") == "http://10.0.0.5:8545")
        let scrubber = SecretScrubber(providerURLs: ["https://eth.example.com/v2/SECRETKEY"])
        #expect(scrubber.scrub("invalid key SECRETKEY for https://eth.example.com/v2/SECRETKEY?x=1")
            == "invalid key [redacted] for https://eth.example.com")
    }

    @Test func hashesAndIDs() {
        var hash = SHA256()
        hash.update("abc".utf8)
        let digest = hash.finalize()   // ba7816bf…f20015ad (32 bytes)
        #expect(digest.count == 32 && digest.first == 0xba && digest.last == 0xad)
        #expect(ParamsDigest.digest(of: Array("[]".utf8)).hasPrefix("sha256:4f53cda1"))
        let ids = RequestIDGenerator()
        #expect(ids.next().description.count == 32 && ids.next() != ids.next())
    }
}
