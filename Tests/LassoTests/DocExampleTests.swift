import Foundation
import Testing
@testable import Lasso
import LassoTransport
import Supervision
import TestSupport

// Every ```swift example in the doc comments of Sources/Lasso, compiled and run here as it stands
// there (the names it leaves open defined first), each followed by what it claims. The last test
// checks that each example's lines stand in this file in the same order (`docExampleProblems`),
// so a doc example cannot drift from code that compiles.

@Suite struct DocExampleTests {
    static let yaml = """
        chains:
          ethereum:
            chain_id: 1
            providers:
              - {id: ethereum_ankr, url: "https://rpc.ankr.com/eth/SECRETKEY", ws_url: "wss://rpc.ankr.com/eth/ws/SECRETKEY"}
        """

    /// A config file holding `yaml`, removed by the caller.
    static func configFile(_ yaml: String = DocExampleTests.yaml) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lassod-doc-\(UUID().uuidString).yml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: Observability

    @Test func jsonWriter() {
        var json = JSONWriter()
        json.beginObject()
        json.string("event", "rpc.request.completed")
        json.beginObject("timing"); json.milliseconds("upstream_latency_ms", nanos: 1_500_000); json.endObject()
        json.endObject()
        let line = json.finish()   // {"event":"rpc.request.completed","timing":{"upstream_latency_ms":1.5}}
        #expect(String(decoding: line, as: UTF8.self)
            == #"{"event":"rpc.request.completed","timing":{"upstream_latency_ms":1.5}}"#)
    }

    @Test func logger() throws {
        let config = try LassoConfig.parse(yaml: Self.yaml, environment: [:])
        let configs = CurrentConfig(config)
        let sink = CapturingLogSink()
        let logger = Logger(config: config.observability, sink: sink, secretsOf: configs)   // sink: StandardOutputSink() in lassod
        logger.log(.warning, "breaker.transition", ["chain": "ethereum", "provider": "ethereum_ankr", "to": "open"])
        // {"ts":"2026-11-25T16:03:30.123Z","level":"warning","event":"breaker.transition","chain":"ethereum",…}
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
        let config = ObservabilityConfig()
        let channels = [Channel(providerID: "a", transport: .http), Channel(providerID: "b", transport: .http)]
        let paramsBytes = Array("[]".utf8)
        let (t0, t1, t2, t3, t4): (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 10, 20, 30, 40)
        var context = RequestContext(requestID: .random(), chain: "ethereum", method: "eth_blockNumber",
                                     transport: .http, strategy: .fastest, startedAtNanos: t0)
        paramsBytes.withUnsafeBytes { context.recordParams($0, includeDigest: config.includeParamsDigest) }
        context.recordSelection(candidates: channels, startedAtNanos: t0, finishedAtNanos: t1)
        context.recordAttempt(on: channels[0], breakerPhase: .closed, startedAtNanos: t1)   // retries 0
        context.recordAttempt(on: channels[1], breakerPhase: .closed, startedAtNanos: t2)   // retries 1
        context.recordUpstreamResponse(atNanos: t3)
        context.recordSuccess(resultType: .string, atNanos: t4)
        #expect(context.retries == 1 && context.upstreamLatencyNanos == 10 && context.endToEndLatencyNanos == 40)
        #expect(context.paramsPresent == false && context.selectedProvider == channels[1])
    }

    @Test func hashesAndIDs() {
        var hash = SHA256()
        hash.update("abc".utf8)
        let digest = hash.finalize()   // ba7816bf…f20015ad (32 bytes)
        #expect(digest.count == 32 && digest.first == 0xba && digest.last == 0xad)
        let params = ParamsDigest.digest(of: Array("[]".utf8))   // "sha256:4f53cda1…"
        #expect(params.hasPrefix("sha256:4f53cda1"))
        let ids = RequestIDGenerator()
        let id = ids.next()   // 32 hex digits, different every call; one relaxed atomic add
        #expect(id.description.count == 32 && id != ids.next())
    }

    // MARK: JSON-RPC

    @Test func jsonRPCErrorBody() {
        let body = JSONRPCErrorBody.make(id: Array("7".utf8), code: JSONRPCErrorBody.methodNotFound, message: "eth_sign is disabled")
        // {"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"eth_sign is disabled"}}
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"eth_sign is disabled"}}"#)
    }

    @Test func jsonRPCMethodName() {
        let fine = JSONRPCMethodName.problem("eth_chainId")                          // nil
        let tooLong = JSONRPCMethodName.problem(String(repeating: "a", count: 200))  // "Method not found: a method name …"
        let shown = JSONRPCMethodName.display(String(repeating: "a", count: 200))    // 128 × "a" + "…"
        #expect(fine == nil && tooLong?.hasPrefix("Method not found: a method name") == true)
        #expect(shown == String(repeating: "a", count: 128) + "…")
    }

    @Test func jsonRPCRequestBody() {
        let request = JSONRPCRequestBody.make("eth_subscribe", id: 0) { $0.raw("params", #"["newHeads"]"#.utf8) }
        // {"jsonrpc":"2.0","id":0,"method":"eth_subscribe","params":["newHeads"]}
        #expect(String(decoding: request, as: UTF8.self) == #"{"jsonrpc":"2.0","id":0,"method":"eth_subscribe","params":["newHeads"]}"#)
    }

    /// `JSONRPCScanner`'s example: the method and the id's bytes.
    func scannerExample() -> (method: String, id: ArraySlice<UInt8>?)? {
        let body = Array(#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber","params":[]}"#.utf8)
        guard case .request(let head) = JSONRPCScanner.scanBody(body) else { return nil }   // or a batch, or why it is invalid
        let method = head.method            // "eth_blockNumber"
        let id = head.id.map { body[$0] }   // the bytes `7`, echoed as sent
        return (method, id)
    }

    @Test func jsonRPCScanner() throws {
        let scanned = try #require(scannerExample())
        #expect(scanned.method == "eth_blockNumber" && scanned.id.map(Array.init) == Array("7".utf8))
    }

    @Test func responseIDSplice() {
        let upstream = Array(#"{"jsonrpc":"2.0","id":91,"result":"0x10"}"#.utf8)
        let reply = ResponseIDSplice.splice(response: upstream, clientID: Array(#""abc""#.utf8))
        // {"jsonrpc":"2.0","id":"abc","result":"0x10"}
        #expect(reply.map { String(decoding: $0, as: UTF8.self) } == #"{"jsonrpc":"2.0","id":"abc","result":"0x10"}"#)
    }

    // MARK: Config

    @Test func currentConfig() throws {
        let configPath = try Self.configFile()
        defer { unlink(configPath) }
        let reloaded = try LassoConfig.parse(yaml: Self.yaml.replacingOccurrences(of: "SECRETKEY", with: "OTHERKEY"),
                                             environment: [:])
        let upstreamError = "401 for https://rpc.ankr.com/eth/SECRETKEY and OTHERKEY"
        let configs = CurrentConfig(try LassoConfig.load(path: configPath))
        let ethereum = configs.chain(named: "1")                                        // by key or chain id: ethereum's ChainConfig
        let wsURL = configs.provider(chain: "ethereum", id: "ethereum_ankr")?.wsURL    // a secret: redact before showing
        configs.replace(with: reloaded)                                                 // readers switch at once
        let scrubbed = configs.snapshot.scrubber.scrub(upstreamError)                   // keys of every provider so far
        #expect(ethereum?.key == "ethereum" && wsURL == "wss://rpc.ankr.com/eth/ws/SECRETKEY")
        #expect(configs.provider(chain: "ethereum", id: "ethereum_ankr")?.url == "https://rpc.ankr.com/eth/OTHERKEY")
        #expect(scrubbed == "401 for https://rpc.ankr.com and [redacted]")
    }

    @Test func environmentSubstitution() throws {
        let result = try EnvironmentSubstitution.apply(to: "https://x/v2/${KEY}", environment: ["KEY": "abc"])
        // (text: "https://x/v2/abc", substituted: true)
        #expect(result == (text: "https://x/v2/abc", substituted: true))
    }

    @Test func region() {
        let fine = Region.problem(with: "eu-west-1")   // nil
        let bad = Region.problem(with: "eu west")      // "must be 1 to 64 letters, digits, '-', '_' or '.' (it labels …)"
        #expect(fine == nil && bad == "must be 1 to 64 letters, digits, '-', '_' or '.' (it labels metrics and names a directory)")
    }

    @Test func secretScrubberAndRedaction() {
        let scrubber = SecretScrubber(providerURLs: ["https://eth.example.com/v2/SECRETKEY"])
        let line = scrubber.scrub("invalid key SECRETKEY for https://eth.example.com/v2/SECRETKEY?x=1")
        // "invalid key [redacted] for https://eth.example.com"
        #expect(line == "invalid key [redacted] for https://eth.example.com")
        let host = URLRedaction.redact("https://eth-mainnet.g.alchemy.com/v2/SECRET")   // "https://eth-mainnet.g.alchemy.com"
        let address = URLRedaction.redact("http://user:pw@10.0.0.5:8545/?key=SECRET")    // "http://10.0.0.5:8545"
        #expect(host == "https://eth-mainnet.g.alchemy.com" && address == "http://10.0.0.5:8545")
    }

    @Test func yamlDocument() throws {
        let root = try YAMLDocument.parse("chains:\n  ethereum: {chain_id: 1}\n")
        let line = root["chains"]?["ethereum"]?["chain_id"]?.line   // 2
        #expect(line == 2)
    }

    @Test func yamlNode() throws {
        let root = try YAMLDocument.parse("server:\n  port: 4000\n")
        let port = root["server"]?["port"]?.scalar?.text   // "4000", line 2
        #expect(port == "4000" && root["server"]?["port"]?.line == 2)
    }

    // MARK: Routing

    @Test func methodTimeouts() {
        let quick = MethodTimeouts(standard: .milliseconds(500), heavy: .seconds(1))
        let logs = quick.timeout(for: "eth_getLogs")                       // 1 s: a heavy method
        let chainID = MethodTimeouts.default.timeout(for: "eth_chainId")   // 10 s
        #expect(logs == .seconds(1) && quick.timeout(for: "eth_chainId") == .milliseconds(500))
        #expect(chainID == .seconds(10))
    }

    @Test func runtimeInstantMilliseconds() {
        let opened = RuntimeInstant(milliseconds: 1_000)
        let until = opened.advanced(byMilliseconds: 30_000)   // 31 s after the origin
        let cooldown = until.milliseconds(since: opened)      // 30_000
        #expect(until == RuntimeInstant(milliseconds: 31_000) && cooldown == 30_000)
    }

    // MARK: Metrics and dashboard

    @Test func requestCounters() {
        var context = RequestContext(requestID: .random(), chain: "ethereum", method: "eth_blockNumber",
                                     transport: .http, strategy: .fastest, startedAtNanos: 0)
        context.recordAttempt(on: Channel(providerID: "alpha", transport: .http), breakerPhase: .closed, startedAtNanos: 0)
        context.recordSuccess(resultType: .string, atNanos: 1_000)
        let counters = RequestCounters()
        counters.record(context)                      // at the end of each request
        let requests = counters.snapshot().requests   // for /metrics
        #expect(requests.count == 1 && requests.first?.provider == "alpha" && requests.first?.successes == 1)
    }

    @Test func benchmarkStoreHandle() async throws {
        let runtime = Runtime()
        let (directory, names) = (ChainDirectory(), ProcessNames())
        let chains: @Sendable () -> [String] = { ["ethereum"] }
        let key = MetricKey(providerID: "alpha", method: "eth_call", transport: .http)
        let samples = [BenchmarkSample(chain: "ethereum", key: key, latencyMicros: 1_000, succeeded: true, at: runtime.clock.now())]
        let handle = BenchmarkStoreHandle()
        let spec = BenchmarkStoreServer.childSpec(directory: directory, chains: chains, names: names, handle: handle)
        let tree = try await Supervisor.start(name: "Application", children: [spec], runtime: runtime)
        handle.current?.cast(.recordAll(samples))   // the recorder, once per batch
        #expect(handle.current?.process == names.benchmarkStore?.process)
        let reply = try await names.benchmarkStore?.call(.stats(chain: "ethereum", key: key))
        guard case .stats(let stats)? = reply else { Issue.record("\(String(describing: reply))"); return }
        #expect(stats?.count == 1 && stats?.successes == 1)
        await tree.stop()
    }

    @Test func dashboardThrottle() {
        var throttle = DashboardThrottle()
        let now = throttle.delay(nowNanos: 0)              // 0: push now
        throttle.pushed(atNanos: 0)
        let later = throttle.delay(nowNanos: 30_000_000)   // 70_000_000: wait 70 ms
        #expect(now == 0 && later == 70_000_000)
    }

    // MARK: Web

    @Test func corsPolicy() {
        let request = HTTPRequest(method: .options, path: "/rpc/ethereum", headers: ["Origin": "https://app.example.org"])
        let response = HTTPResponse.json(#"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let cors = CORSPolicy(CORSConfig(allowedOrigins: ["https://app.example.org"]))
        let preflight = cors.preflight(request, methods: [.post, .options])   // 204, allow-origin https://app.example.org …
        let decorated = cors.decorate(response, for: request)                 // + allow-origin, expose-headers, vary
        func header(_ response: HTTPResponse, _ name: String) -> String? {
            response.headers.first { $0.name.lowercased() == name }?.value
        }
        #expect(preflight.status == 204 && header(preflight, "access-control-allow-origin") == "https://app.example.org")
        #expect(header(decorated, "access-control-allow-origin") == "https://app.example.org")
        #expect(header(decorated, "access-control-expose-headers") != nil && header(decorated, "vary") != nil)
    }

    @Test func jsonRPCHTTPError() {
        let response = JSONRPCHTTPError.response(status: 413, message: "request body too large")
        // 413, {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body too large"}}
        #expect(response.status == 413)
        #expect(String(decoding: response.body, as: UTF8.self)
            == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body too large"}}"#)
    }

    // MARK: Subscriptions

    @Test func subscriptionKeyAndNotification() throws {
        let address = "0x" + String(repeating: "AB", count: 20)
        let key = try SubscriptionKey.parse(params: Array(#"["logs",{"topics":[null],"address":"\#(address)"}]"#.utf8))
        let kind = key.kind                  // .logs
        let upstream = key.upstreamParams    // ["logs",{"address":["0xabab…ab"]}]: lower-cased, empty topics dropped
        #expect(kind == .logs)
        #expect(upstream == #"["logs",{"address":["\#(address.lowercased())"]}]"#)
        #expect(notificationExample() == #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{}}}"#)
    }

    /// `SubscriptionNotification`'s example: the notification readdressed.
    func notificationExample() -> String? {
        let upstream = Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xab","result":{}}}"#.utf8)
        guard let found = SubscriptionNotification.scan(upstream) else { return nil }   // id "0xab" and where it is
        let readdressed = SubscriptionNotification.readdress(upstream, at: found.range, to: "0x01")
        // {"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{}}}
        #expect(found.subscription == "0xab")
        return String(decoding: readdressed, as: UTF8.self)
    }

    @Test func notificationEnvelope() {
        let notification = NotificationEnvelope.wrap(result: Array(#"{"number":"0x1"}"#.utf8), subscription: "0x01")
        // {"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{"number":"0x1"}}}
        let retracted = NotificationEnvelope.markRemoved(Array(#"{"logIndex":"0x0","removed":false}"#.utf8))
        // {"logIndex":"0x0","removed":true}
        #expect(String(decoding: notification, as: UTF8.self)
            == #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{"number":"0x1"}}}"#)
        #expect(retracted.map { String(decoding: $0, as: UTF8.self) } == #"{"logIndex":"0x0","removed":true}"#)
    }

    @Test func backfillPlan() {
        let small = BackfillPlan(from: 101, through: 105, cap: 32)    // .fetch(101...105)
        let wide = BackfillPlan(from: 101, through: 150, cap: 32)     // .skipThenFetch(skipped: 101...118, fetch: 119...150)
        let off = BackfillPlan(from: 101, through: 105, cap: 0)       // .skip(101...105)
        let behind = BackfillPlan(from: 106, through: 105, cap: 32)   // .none: the upstream is behind the stream
        #expect(small == .fetch(101...105) && wide == .skipThenFetch(skipped: 101...118, fetch: 119...150))
        #expect(off == .skip(101...105) && behind == BackfillPlan.none)
    }

    @Test func blockHashAndStreamEvent() {
        let hash = BlockHash(hex: "0x" + String(repeating: "ab", count: 32))
        let text = hash?.description   // "0xabab…ab": 0x and 64 lower-case hex digits
        #expect(text == "0x" + String(repeating: "ab", count: 32))

        let (child, parent) = ("0x" + String(repeating: "b1", count: 32), "0x" + String(repeating: "a0", count: 32))
        let result = Array(#"{"number":"0x64","hash":"\#(child)","parentHash":"\#(parent)","gasUsed":"0x0"}"#.utf8)
        let event = StreamEvent(result: result, range: result.indices, kind: .newHeads)   // .head(number 100, hash, parentHash)
        guard case .head(let head)? = event else { Issue.record("\(String(describing: event))"); return }
        #expect(head.block.number == 100 && head.block.hash.description == child && head.parentHash.description == parent)
    }

    @Test func headerShape() {
        let liveHeader = Array(#"{"number":"0x64","hash":"0x1","parentHash":"0x0"}"#.utf8)
        let fetchedBlock = Array(#"{"hash":"0x1","number":"0x64","transactions":[],"parentHash":"0x0","size":"0x1"}"#.utf8)
        let shape = HeaderShape(sample: liveHeader) ?? .blockWithoutBody
        let header = shape.project(fetchedBlock)   // the header's members, in the live header's order
        #expect(header.map { String(decoding: $0, as: UTF8.self) } == #"{"number":"0x64","hash":"0x1","parentHash":"0x0"}"#)
    }

    @Test func headsAndLogsContinuity() {
        let (header101, header104) = (ContinuityFixtures.head(101), ContinuityFixtures.head(104))
        var heads = HeadsContinuity()
        let verdict = heads.judge(header101, policy: .gapFilling)   // .deliver
        heads.record(header101, verdict)
        let next = heads.judge(header104, policy: .gapFilling)      // .gap(102...103)
        #expect(verdict == .deliver && next == .gap(102...103))

        let logAt100 = ContinuityFixtures.log(100, 0)
        let logAt100Bytes = ContinuityFixtures.body(logAt100)
        var logs = LogsContinuity()
        let logVerdict = logs.judge(logAt100, policy: .gapFilling, continuous: true)   // .deliver
        logs.record(logAt100, logVerdict, result: logAt100Bytes)                       // completeThrough 99
        #expect(logVerdict == .deliver && logs.completeThrough == 99)
    }

    @Test func streamContinuity() {
        let event = StreamEvent.head(ContinuityFixtures.head(100))
        let resultBytes = Array("{}".utf8)
        var continuity = StreamContinuity(kind: .newHeads)
        let verdict = continuity.judge(event, policy: .gapFilling, continuous: true)
        continuity.record(event, verdict, result: resultBytes)   // before sending: a successor never re-sends it
        // .deliver → send; .gap(range) → fetch range first; drops → nothing
        #expect(verdict == .deliver && continuity.judge(event, policy: .gapFilling, continuous: true) == .dropDuplicate)
        #expect(continuity.firstMissingBlock == 101)
    }

    @Test func stallRule() {
        let stalled = StallRule.isStalled(lastEventAt: .init(milliseconds: 0), now: .init(milliseconds: 3_700),
                                          blockTime: .milliseconds(1_200), lastBlock: 100, bestKnownHead: 103)
        // true: 3 700 ms of silence is more than 3 block times (3 600 ms), and the head moved on
        #expect(stalled)
        #expect(!StallRule.isStalled(lastEventAt: .init(milliseconds: 0), now: .init(milliseconds: 3_700),
                                     blockTime: .milliseconds(1_200), lastBlock: 103, bestKnownHead: 103))
    }

    @Test func circuitBreakerMachineWorkedExample() {
        let t = RuntimeInstant.init(milliseconds:)
        var breaker = CircuitBreakerMachine()
        for _ in 0..<5 { _ = breaker.record(.providerFault, ticket: .regular, now: t(1_000)) }
        // fifth fault → Transition(.closed(4) → .open(until: 61 000), .failureThreshold)
        #expect(breaker.state == .open(until: t(61_000)))
        let deadline = breaker.nextDeadline                      // 61 000: the process arms its timer for then
        let halfOpen = breaker.timerFired(now: t(61_000))        // → .halfOpen(successes: 0, trialInFlight: false)
        let trial = breaker.admit(now: t(61_000))                // → .allowed(.trial(episode: 1))
        let second = breaker.admit(now: t(61_001))               // → .rejected(.trialInFlight)
        _ = breaker.record(.success, ticket: .trial(episode: 1), now: t(61_050))   // successes 1
        let next = breaker.admit(now: t(61_100))                 // → .allowed(.trial(episode: 1))
        let closed = breaker.record(.success, ticket: .trial(episode: 1), now: t(61_150))   // → .closed(0)
        #expect(deadline == t(61_000))
        #expect(halfOpen?.to == .halfOpen(successes: 0, trialInFlight: false))
        #expect(trial == .allowed(.trial(episode: 1)) && second == .rejected(.trialInFlight))
        #expect(next == .allowed(.trial(episode: 1)))
        #expect(closed?.to == .closed(consecutiveFailures: 0) && closed?.cause == .trialsSucceeded)
    }

    @Test func durationUnits() {
        let quarter = Duration.milliseconds(250).wholeMilliseconds   // 250
        let block = Duration.seconds(12).wholeMilliseconds           // 12_000
        #expect(quarter == 250 && block == 12_000)
    }

    @Test func subscriptionSettings() throws {
        let config = try LassoConfig.parse(yaml: """
            subscriptions: {max_backfill_blocks: 50}
            chains:
              ethereum: {chain_id: 1, failover: {max_backfill_blocks: 10}, providers: [{id: a, url: "https://a.example"}]}
              base: {chain_id: 8453, providers: [{id: b, url: "https://b.example"}]}
            """, environment: [:])
        let ethereum = try #require(config.chain(named: "ethereum"))
        let settings = SubscriptionSettings(global: config.subscriptions, chain: ethereum)
        let cap = settings.maxBackfillBlocks   // ethereum's failover.max_backfill_blocks if set, else subscriptions.max_backfill_blocks
        #expect(cap == 10)
        let base = try #require(config.chain(named: "base"))
        #expect(SubscriptionSettings(global: config.subscriptions, chain: base).maxBackfillBlocks == 50)
    }

    // MARK: Registries, providers, tree and admin, on a running lassod

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

    @Test func stoppedChainsAndReloadPlan() throws {
        let stopped = StoppedChains()
        stopped.insert("base")                   // ConfigStore, after stop-chain base
        let skipped = stopped.contains("base")   // ChainsSupervisor's start: true, base is skipped
        #expect(skipped)

        func config(_ chains: [String]) throws -> LassoConfig {
            try LassoConfig.parse(yaml: "chains:\n" + chains.enumerated().map { index, key in
                "  \(key): {chain_id: \(index + 1), providers: [{id: p, url: \"https://h.example\"}]}\n"
            }.joined(), environment: [:])
        }
        let diff = ConfigDiff(from: try config(["ethereum", "base", "polygon"]), to: try config(["ethereum", "base", "optimism"]))
        // base failed to restart last time; polygon was removed now, optimism added.
        let plan = ReloadPlan(diff: diff, owed: ["base"], configured: ["ethereum", "base", "optimism"])
        // stop: ["polygon"], restart: [], replace: ["base"], start: ["optimism"]
        #expect(plan.stop == ["polygon"] && plan.restart == [] && plan.replace == ["base"] && plan.start == ["optimism"])
    }

    @Test func adminCommand() async throws {
        let control = RecordingAdminControl()
        let command = try AdminCommand.parse(name: "restart-chain", arguments: ["ethereum"]).get()
        let replyLine = await command.perform(on: control)   // {"ok":true,"result":{"chain":"ethereum","running":true}}
        #expect(String(decoding: replyLine, as: UTF8.self) == #"{"ok":true,"result":{"chain":"ethereum","running":true}}"# + "\n")
    }

    /// A connection that stands for `WSConnection(alpha)`: `carrier` is the process whose exit
    /// the registry watches.
    struct CarriedWebSocket: UpstreamWebSocket {
        let carrier: ProcessRef?
        func send(_ request: [UInt8], timeout: Duration, completion: @escaping @Sendable (UpstreamReply) -> Void) {
            completion(.failure(.connectionClosed))
        }
    }

    @Test func transportRegistry() async throws {
        struct Idle: GenServer {}
        struct Killed: Error {}
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum: {chain_id: 1, providers: [{id: alpha, url: "http://127.0.0.1:1", ws_url: "ws://127.0.0.1:1"}]}
            """, environment: [:])
        let ethereum = try #require(config.chain(named: "ethereum"))
        let runtime = Runtime()
        func webSocketRoute(_ board: ChainStateBoard) -> UpstreamRoute? {
            board.current.slot(of: "alpha", transport: .ws).flatMap { board.current.links[$0].route }
        }
        let board = ChainStateBoard(chain: ethereum)
        let registry = TransportRegistry.childSpec(chain: ethereum, board: board)
        let supervisor = try await Supervisor.start(name: "ChainSupervisor(ethereum)", children: [registry], runtime: runtime)
        let connection = try await ServerRef.start(label: "WSConnection(alpha)", runtime: runtime) { Idle() }
        board.publish(webSocket: CarriedWebSocket(carrier: connection.process), provider: "alpha")
        // WSConnection(alpha) connects → board.publish(webSocket:provider:) → alpha/ws is a candidate;
        #expect(webSocketRoute(board) != nil)
        connection.process.stop(.failed(Killed()))
        // it is killed → the registry's monitor withdraws alpha/ws.
        #expect(await waitFor { webSocketRoute(board) == nil })
        await supervisor.stop()
    }

    @Test func runningChains() async throws {
        let stack = try await TreeControlStack()
        let (app, directory, now) = (stack.app, stack.app.services.directory, stack.app.runtime.clock.now())

        let entry = directory.entry(for: "ethereum")   // once, when the socket opens
        let board = entry.board                        // per message: the running board, or nil
        #expect(board != nil && board === directory.board(for: "ethereum"))

        // `ChainState`'s example, on that board.
        var seen: [(channel: Channel, routed: Bool, health: ChannelHealth?)] = []
        if let board {
            let state = board.current
            for slot in Selection.orderedSlots(state.snapshot, method: "eth_call", strategy: .fastest, now: now) {
                let link = state.links[slot]          // route and breaker, resolved when published
                let health = state.health(at: slot)   // what selection saw
                seen.append((state.channels[slot], link.route != nil && link.breaker != nil, health))
            }
        }
        #expect(Set(seen.map(\.channel.providerID)) == ["alpha", "beta"])
        #expect(seen.allSatisfy { $0.routed && $0.health?.phase == .closed })

        // `CircuitBreaker`'s example, on beta's HTTP breaker.
        let state = try #require(board?.current)
        let betaSlot = try #require(state.slot(of: "beta", transport: .http))
        let breaker = try #require(state.links[betaSlot].breaker)
        try await circuitBreakerExample(breaker)
        #expect(board?.current.health(at: betaSlot)?.phase == .forcedOpen, "on the board before the reply")
        _ = try await breaker.call(.override(.reset))

        // `RPCService`'s example, through ethereum's board.
        let service = RPCService(configs: app.configs, directory: directory, pipeline: app.services.pipeline,
                                 clock: app.runtime.clock)
        let replies = Recorder<[UInt8]>()
        let body = Array(#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}"#.utf8)
        @Sendable func send(_ bytes: [UInt8]) { replies.record(bytes) }
        let target = try service.resolve(RPCRoute(chain: "ethereum")).get()
        service.handle(body, target: target, client: .webSocket) { reply in send(reply.body) }
        #expect(await replies.first { _ in true }.map { String(decoding: $0, as: UTF8.self) }
            == #"{"jsonrpc":"2.0","id":7,"result":"0x1"}"#)

        // A stopped chain leaves the entry without a board; started again, it yields the new one.
        try await stack.control.stopChain("ethereum")
        #expect(entry.board == nil)
        try await stack.control.startChain("ethereum")
        #expect(entry.board != nil && entry.board !== board)
        await stack.shutdown()
    }

    /// `CircuitBreaker`'s example.
    func circuitBreakerExample(_ breaker: ServerRef<CircuitBreaker>) async throws {
        let admission = try await breaker.call(.admit)        // .allowed(.regular): closed
        let state = try await breaker.call(.override(.open))  // .forcedOpen, on the board before the reply
        let status = try await breaker.call(.status)          // state and cooldown
        #expect(admission == .allowed(.regular) && state == .forcedOpen && status.state == .forcedOpen)
    }

    @Test func configStoreAndTreeControl() async throws {
        let stack = try await TreeControlStack()
        let (names, app, configPath) = (stack.app.services.names, stack.app, stack.configPath)

        let store = names.configStore
        let diff = try await store?.call(.reload(path: configPath)).get()   // the ConfigDiff applied
        try await store?.call(.restartChain("ethereum")).get()              // or throws its AdminError
        #expect(diff?.unchanged == ["ethereum", "base", "polygon"])
        await #expect(throws: AdminError.unknownChain("nowhere")) { try await store?.call(.restartChain("nowhere")).get() }

        let before = await stack.pid(at: "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool")
        let control = TreeControl(application: app, configPath: configPath)
        try await control.restartChain("ethereum")
        let pid = try await control.kill(path: "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool")
        #expect(before != nil && pid != before, "the restart made a new ProviderPool, the kill ended it")
        #expect(await waitFor { await stack.pid(at: "Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool")
            .map { $0 != pid } ?? false }, "its supervisor restarted it")
        await stack.shutdown()
    }

    @Test func adminServerAndClient() async throws {
        let stack = try await TreeControlStack()
        let (application, configPath) = (stack.app, stack.configPath)
        let socketPath = NSTemporaryDirectory() + "lassod-doc-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"

        let admin = try AdminServer(application: application, path: socketPath,
                                    control: TreeControl(application: application, configPath: configPath))
        // $ lassod ctl --socket lassod.sock chains
        // $ echo '{"cmd":"chains"}' | socat - UNIX-CONNECT:lassod.sock
        let loop = try EventLoop(configuration: .init(maxOpenFiles: 256))
        let reply = await AdminClient(loop: loop).send(AdminRequest.line(name: "chains", arguments: []),
                                                      to: socketPath, timeout: .seconds(10))
        loop.stop()
        let line = try String(decoding: reply.get(), as: UTF8.self)
        #expect(line.hasPrefix(#"{"ok":true"#) && line.contains(#""ethereum""#) && line.contains(#""polygon""#))
        admin.stop()
        #expect(!FileManager.default.fileExists(atPath: socketPath))
        await stack.shutdown()
    }

    @Test func everyDocExampleStandsInThisFile() throws {
        let examples = try docExamples(under: "Sources/Lasso")
        #expect(examples.count >= 50)
        let problems = try docExampleProblems(examples)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
