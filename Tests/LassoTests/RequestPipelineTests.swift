import Synchronization
import Testing
@testable import Lasso
import Supervision
import TestSupport

/// A test double for the transport: answers per provider (or per channel, `provider/transport`)
/// from a script and records what it sent.
final class ScriptedUpstream: UpstreamSender {
    typealias Script = @Sendable (_ request: [UInt8]) -> UpstreamReply
    private let state = Mutex<(scripts: [String: Script], sent: [(channel: Channel, timeout: Duration)])>(([:], []))

    func answer(_ provider: String, with script: @escaping Script) {
        state.withLock { $0.scripts[provider] = script }
    }

    /// Answers only `provider`'s `transport` channel; it wins over the provider's script.
    func answer(_ provider: String, over transport: TransportKind, with script: @escaping Script) {
        state.withLock { $0.scripts["\(provider)/\(transport.rawValue)"] = script }
    }

    func answer(_ provider: String, json: String, status: Int = 200, retryAfter: String? = nil) {
        answer(provider) { _ in .response(status: status, retryAfter: retryAfter, body: Array(json.utf8)) }
    }

    var sentTo: [String] { state.withLock { $0.sent.map(\.channel.providerID) } }
    /// Each attempt's channel as `provider/transport`.
    var sentOver: [String] { state.withLock { $0.sent.map { "\($0.channel.providerID)/\($0.channel.transport.rawValue)" } } }
    var timeouts: [Duration] { state.withLock { $0.sent.map(\.timeout) } }

    func send(_ request: [UInt8], over channel: Channel, route: UpstreamRoute?, timeout: Duration, idempotent: Bool,
              completion: @escaping @Sendable (UpstreamReply) -> Void) {
        let script = state.withLock { state in
            state.sent.append((channel, timeout))
            return state.scripts["\(channel.providerID)/\(channel.transport.rawValue)"] ?? state.scripts[channel.providerID]
        }
        completion(script?(request) ?? .failure(.connectionRefused))
    }
}

/// Delivers each attempt at once to the breaker it carries (a cast per attempt, as a
/// single-request loop turn would), notes each benchmark sample as
/// `chain/provider/method/succeeded` and, if given a second journal, each attempt's verdict as
/// `provider/transport: label`.
struct ImmediateAttemptRecorder: AttemptRecorder {
    let journal: Journal
    var verdicts: Journal?

    func record(_ attempt: FinishedAttempt) {
        attempt.breaker?.cast(.finished(attempt.outcome, attempt.ticket))
        verdicts?.record("\(attempt.channel): \(attempt.verdict.label)")
        if let sample = attempt.sample {
            journal.record("\(sample.chain)/\(sample.key.providerID)/\(sample.key.method)/\(sample.succeeded)")
        }
    }
}

@Suite struct RequestPipelineTests {
    static let yaml = """
        chains:
          ethereum:
            chain_id: 1
            providers:
              - {id: alpha, priority: 1, url: "https://alpha.example/v2/SECRETKEY"}
              - {id: beta, priority: 2, url: "https://beta.example/?apikey=SECRETKEY"}
          writable:
            chain_id: 5
            allow_write_methods: true
            providers:
              - {id: gamma, priority: 1, url: "http://127.0.0.1:1"}
              - {id: delta, priority: 2, url: "http://127.0.0.1:2"}
          sockets:
            chain_id: 7
            providers:
              - {id: kappa, priority: 1, url: "http://127.0.0.1:3", ws_url: "ws://127.0.0.1:3"}
              - {id: lambda, priority: 2, url: "http://127.0.0.1:4", ws_url: "ws://127.0.0.1:4"}
        """

    struct Fixture {
        let clock = ManualClock()
        let runtime: Runtime
        let config: LassoConfig
        let boards: [String: ChainStateBoard]
        let breakers = BreakerDirectory()
        let upstream = ScriptedUpstream()
        let pipeline: RequestPipeline
        let recorded = Journal()
        /// Every attempt's verdict, as the recorder hears it: `provider/transport: label`.
        let verdicts = Journal()

        init(timeouts: MethodTimeouts = .default) async throws {
            runtime = Runtime(clock: clock)
            config = try LassoConfig.parse(yaml: RequestPipelineTests.yaml, environment: [:])
            var boards: [String: ChainStateBoard] = [:]
            for chain in config.chains { boards[chain.key] = ChainStateBoard(chain: chain) }
            self.boards = boards
            pipeline = RequestPipeline(sender: upstream,
                                       recorder: ImmediateAttemptRecorder(journal: recorded, verdicts: verdicts), clock: clock,
                                       timeouts: timeouts)
            for chain in config.chains {
                for provider in chain.providers {
                    let board = try #require(boards[chain.key])
                    let directory = breakers
                    _ = try await ServerRef.start(label: "cb", runtime: runtime) {
                        CircuitBreaker(chain: chain.key, provider: provider.id, transport: .http,
                                       policy: CircuitBreakerPolicy(), board: board, directory: directory)
                    }
                }
            }
        }

        func run(_ body: String, chain: String = "ethereum", strategy: SelectionStrategy = .priority,
                 pinned: String? = nil) async throws -> PipelineOutcome {
            let bytes = Array(body.utf8)
            guard case .request(let head) = JSONRPCScanner.scanBody(bytes) else {
                throw PipelineTestError.notARequest
            }
            let request = PipelineRequest(board: try #require(boards[chain]), body: bytes, head: head,
                                          strategy: strategy, pinnedProvider: pinned,
                                          requestID: RequestID(high: 1, low: 2), startedAtNanos: clock.now().nanoseconds,
                                          includeParamsDigest: true)
            return await withCheckedContinuation { continuation in
                pipeline.execute(request) { continuation.resume(returning: $0) }
            }
        }

        func breakerState(_ provider: String, chain: String = "ethereum") async throws -> CircuitBreakerMachine.State? {
            let breaker = breakers.breaker(chain: chain, channel: Channel(providerID: provider, transport: .http))
            return try await breaker?.call(.status).state
        }
    }

    enum PipelineTestError: Error { case notARequest }

    private func text(_ outcome: PipelineOutcome) -> String {
        String(decoding: outcome.body ?? [], as: UTF8.self)
    }

    @Test func successReturnsTheProviderBytesWithTheClientIDRestored() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":7,"result":"0x10"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":"client-1","method":"eth_blockNumber","params":[]}"#)
        #expect(text(outcome) == #"{"jsonrpc":"2.0","id":"client-1","result":"0x10"}"#)
        #expect(outcome.context.selectedProvider == Channel(providerID: "alpha", transport: .http))
        #expect(outcome.context.status == .success && outcome.context.error == nil && outcome.context.retries == 0)
        #expect(fixture.verdicts.all == ["alpha/http: ok"])
        #expect(fixture.recorded.all == ["ethereum/alpha/eth_blockNumber/true"])
    }

    @Test func providerFaultFailsOverAndCountsAgainstTheBreaker() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: "<html>bad gateway</html>", status: 502)
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x20"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
        #expect(text(outcome) == #"{"jsonrpc":"2.0","id":1,"result":"0x20"}"#)
        #expect(fixture.verdicts.all == ["alpha/http: provider.http_5xx", "beta/http: ok"])
        // The observability record tells the same story.
        #expect(outcome.context.retries == 1 && outcome.context.selectedProvider?.providerID == "beta")
        #expect(outcome.context.candidateProviders.map(\.providerID) == ["alpha", "beta"])
        #expect(outcome.context.status == .success && outcome.context.resultType == .string)
        #expect(outcome.context.paramsPresent == false)
        #expect(try await fixture.breakerState("alpha") == .closed(consecutiveFailures: 1))
        #expect(try await fixture.breakerState("beta") == .closed(consecutiveFailures: 0))
    }

    @Test func anAttemptAbandonedByLassodsOwnRestartFailsOverWithoutCountingAgainstTheBreaker() async throws {
        // An HTTPClientPool or WSConnection restart drops what it carried; that is lassod's doing,
        // and must not open the breakers of the providers that happened to be busy.
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha") { _ in .failure(.abandoned) }
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x20"}"#)
        for _ in 0..<6 {
            let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
            #expect(text(outcome) == #"{"jsonrpc":"2.0","id":1,"result":"0x20"}"#)
            #expect(fixture.verdicts.all.suffix(2) == ["alpha/http: provider.abandoned", "beta/http: ok"])
        }
        #expect(try await fixture.breakerState("alpha") == .closed(consecutiveFailures: 0))
    }

    @Test func callerFaultIsReturnedAtOnceByteForByte() async throws {
        let fixture = try await Fixture()
        let revert = #"{"jsonrpc":"2.0","id":5,"error":{"code":3,"message":"execution reverted: nope","data":"0x08c379a0"}}"#
        fixture.upstream.answer("alpha", json: revert)
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":5,"result":"0x"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":42,"method":"eth_call","params":[{},"latest"]}"#)
        #expect(text(outcome) == revert.replacingOccurrences(of: #""id":5"#, with: #""id":42"#))
        #expect(fixture.upstream.sentTo == ["alpha"])
        #expect(outcome.context.error?.code == 3)
        #expect(outcome.context.error == RequestContext.ErrorDetail(code: 3, message: "execution reverted: nope",
                                                                    category: "caller.execution_reverted"))
        #expect(outcome.context.paramsPresent && outcome.context.paramsDigest?.hasPrefix("sha256:") == true)
        #expect(try await fixture.breakerState("alpha") == .closed(consecutiveFailures: 0))
    }

    @Test func rateLimitFailsOverAndCoolsTheChannelDown() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: "Too Many Requests", status: 429, retryAfter: "30")
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_gasPrice"}"#)
        #expect(fixture.verdicts.all == ["alpha/http: rate_limited", "beta/http: ok"])
        _ = try await fixture.breakerState("alpha")
        let alpha = try #require(fixture.boards["ethereum"]?.snapshot.providers.first { $0.id == "alpha" })
        #expect(alpha.http.phase == .closed && alpha.http.cooldownUntil != nil)
        // While cooling down, alpha is not even tried.
        let next = try await fixture.run(#"{"jsonrpc":"2.0","id":2,"method":"eth_gasPrice"}"#)
        #expect(next.context.candidateProviders.map(\.providerID) == ["beta"])
        #expect(fixture.upstream.sentTo == ["alpha", "beta", "beta"])
    }

    @Test func allFailedGivesMinus32000WithTheClientIDAndNoURLs() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha") { _ in .failure(.timeout) }
        fixture.upstream.answer("beta") { _ in .failure(.tlsFailure) }
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":null,"method":"eth_chainId"}"#)
        let body = text(outcome)
        #expect(body.hasPrefix(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"all providers failed"#))
        #expect(body.contains("alpha/http: provider.timeout") && body.contains("beta/http: provider.tls"))
        #expect(!body.contains("SECRETKEY") && !body.contains("example"))
        #expect(outcome.context.status == .error && outcome.context.error?.code == -32000)
        #expect(outcome.context.error?.category == "all_failed")
    }

    @Test func writeMethodsAreRefusedUnlessTheChainAllowsThemAndThenNeverRetried() async throws {
        let fixture = try await Fixture()
        let refused = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x00"]}"#)
        #expect(text(refused).contains(#""code":-32601"#) && text(refused).contains("allow_write_methods"))
        #expect(fixture.upstream.sentTo.isEmpty)

        fixture.upstream.answer("gamma") { _ in .failure(.timeout) }
        fixture.upstream.answer("delta", json: #"{"jsonrpc":"2.0","id":1,"result":"0xhash"}"#)
        let sent = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x00"]}"#,
                                         chain: "writable")
        #expect(fixture.upstream.sentTo == ["gamma"])
        #expect(sent.context.error?.code == -32000)
    }

    @Test func aPinnedProviderGetsOneAttemptAndNoFailover() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("beta") { _ in .failure(.connectionRefused) }
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#, pinned: "beta")
        #expect(fixture.upstream.sentTo == ["beta"])
        #expect(outcome.context.error?.code == -32000)
        let unknown = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#, pinned: "nobody")
        #expect(unknown.context.error?.category == "no_provider")
    }

    @Test func notificationsAreForwardedOnceAndGetNoBody() async throws {
        let fixture = try await Fixture()
        // Providers answer a notification with an empty 200: that is the provider doing its job.
        fixture.upstream.answer("alpha", json: "")
        for _ in 0..<6 {
            let outcome = try await fixture.run(#"{"jsonrpc":"2.0","method":"eth_blockNumber"}"#)
            #expect(outcome.body == nil && outcome.context.status == .success)
        }
        #expect(fixture.upstream.sentTo == Array(repeating: "alpha", count: 6))
        #expect(try await fixture.breakerState("alpha") == .closed(consecutiveFailures: 0))
    }

    @Test func anObjectWithNeitherResultNorErrorIsAnInvalidResponse() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1}"#)
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x5"}"#)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
        #expect(fixture.verdicts.all == ["alpha/http: provider.invalid_response", "beta/http: ok"])
    }

    @Test func onlyTheMethodNotFoundCodeMarksAMethodUnsupportedAndAllUnsupportedIsMinus32601() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"finalized block not supported"}}"#)
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        _ = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{},"finalized"]}"#)
        #expect(fixture.boards["ethereum"]?.snapshot.providers[0].unsupportedMethods.isEmpty == true)

        let notFound = #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method x_y does not exist/is not available"}}"#
        fixture.upstream.answer("alpha", json: notFound)
        fixture.upstream.answer("beta", json: notFound)
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":3,"method":"x_y"}"#)
        #expect(outcome.context.error?.code == -32601)
        #expect(text(outcome).contains("x_y is not supported by any provider of ethereum"))
    }

    @Test func unsupportedMethodFailsOverAndIsRememberedForThatProvider() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method debug_x does not exist/is not available"}}"#)
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":{}}"#)
        _ = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"debug_x"}"#)
        #expect(fixture.upstream.sentTo == ["alpha", "beta"])
        let second = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"debug_x"}"#)
        #expect(second.context.candidateProviders.map(\.providerID) == ["beta"])
        #expect(fixture.upstream.sentTo == ["alpha", "beta", "beta"])
    }

    @Test func aHalfOpenChannelAsksItsBreakerForTheTrial() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha") { _ in .failure(.connectionRefused) }
        fixture.upstream.answer("beta", json: #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        for n in 0..<5 { _ = try await fixture.run(#"{"jsonrpc":"2.0","id":\#(n),"method":"eth_blockNumber"}"#) }
        #expect(try await fixture.breakerState("alpha") == .open(until: RequestPipeline.monotonic(fixture.clock.now() + .seconds(60))))
        let sentBefore = fixture.upstream.sentTo.count
        let skipped = try await fixture.run(#"{"jsonrpc":"2.0","id":9,"method":"eth_blockNumber"}"#)
        #expect(skipped.context.candidateProviders.map(\.providerID) == ["beta"])
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["beta"])

        fixture.clock.advance(by: .seconds(60))
        _ = try await fixture.breakerState("alpha")
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":"0x2"}"#)
        let trial = try await fixture.run(#"{"jsonrpc":"2.0","id":10,"method":"eth_blockNumber"}"#)
        #expect(trial.context.selectedProvider?.providerID == "beta", "half-open channels go last")
        #expect(trial.context.candidateProviders.map(\.providerID) == ["beta", "alpha"])
        let alone = try await fixture.run(#"{"jsonrpc":"2.0","id":11,"method":"eth_blockNumber"}"#, pinned: "alpha")
        #expect(alone.context.status == .success && alone.context.retries == 0)
        #expect(fixture.verdicts.all.last == "alpha/http: ok")
        // One successful trial of the two needed: still half-open, ready for the next trial.
        #expect(try await fixture.breakerState("alpha") == .halfOpen(successes: 1, trialInFlight: false))
    }

    @Test func logsAndTracesGetTheLongerTimeout() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":[]}"#)
        _ = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{}]}"#)
        _ = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(fixture.upstream.timeouts == [.seconds(30), .seconds(10)])
    }

    @Test func injectedTimeoutsReplaceTheDefaults() async throws {
        let fixture = try await Fixture(timeouts: MethodTimeouts(standard: .milliseconds(200), heavy: .milliseconds(700)))
        fixture.upstream.answer("alpha", json: #"{"jsonrpc":"2.0","id":1,"result":[]}"#)
        _ = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"trace_block","params":["latest"]}"#)
        _ = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
        #expect(fixture.upstream.timeouts == [.milliseconds(700), .milliseconds(200)])
    }
}
