import Testing
@testable import Lasso
import Supervision
import TestSupport

/// The pipeline's last resort: a request whose every candidate's breaker refuses it goes to
/// those channels anyway, best first, rather than failing for certain — except where an
/// operator forced a breaker open. On `RequestPipelineTests.Fixture` (scripted upstreams, real
/// breaker processes on a manual clock that only the test moves).
@Suite struct RequestPipelineLastResortTests {
    typealias Fixture = RequestPipelineTests.Fixture
    static let ok = #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#

    private func text(_ outcome: PipelineOutcome) -> String {
        String(decoding: outcome.body ?? [], as: UTF8.self)
    }

    /// Fails `count` requests on both ethereum providers, so that (threshold 5) both breakers open.
    private func openBoth(_ fixture: Fixture) async throws {
        fixture.upstream.answer("alpha") { _ in .failure(.connectionRefused) }
        fixture.upstream.answer("beta") { _ in .failure(.connectionRefused) }
        for n in 0..<5 { _ = try await fixture.run(#"{"jsonrpc":"2.0","id":\#(n),"method":"eth_blockNumber"}"#) }
        for provider in ["alpha", "beta"] {
            try #require(try await waitFor {
                if case .open? = try await fixture.breakerState(provider) { return true }
                return false
            }, "\(provider) open")
        }
    }

    @Test func everyBreakerOpenSendsToTheOpenChannelsBestFirstAndASuccessStartsRecovery() async throws {
        let fixture = try await Fixture()
        try await openBoth(fixture)
        fixture.upstream.answer("beta", json: Self.ok)
        let sentBefore = fixture.upstream.sentTo.count

        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#)
        #expect(text(outcome) == #"{"jsonrpc":"2.0","id":7,"result":"0x1"}"#)
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["alpha", "beta"], "priority order, alpha still down")
        #expect(outcome.context.lastResort)
        #expect(outcome.context.candidateProviders.map(\.providerID) == ["alpha", "beta"])
        #expect(outcome.context.circuitBreakerState == .open && outcome.context.retries == 1)
        let line = String(decoding: RequestLogLine.render(outcome.context, config: ObservabilityConfig(),
                                                          scrubber: SecretScrubber(), unixMillis: 0), as: UTF8.self)
        #expect(line.contains(#""circuit_breaker_state":"open","last_resort":true}"#))
        #expect(String(decoding: ClientMetadata.json(for: outcome.context), as: UTF8.self).contains(#""last_resort":true"#))

        // beta answered: its breaker leaves open without waiting out the 60 s (the clock never
        // moved), and the next request goes to it as an ordinary half-open trial.
        try #require(try await waitFor {
            try await fixture.breakerState("beta") == .halfOpen(successes: 0, trialInFlight: false)
        })
        #expect(try await fixture.breakerState("alpha") == .open(until: fixture.clock.now() + .seconds(60)))
        let trial = try await fixture.run(#"{"jsonrpc":"2.0","id":8,"method":"eth_blockNumber"}"#)
        #expect(trial.context.status == .success && !trial.context.lastResort)
        #expect(trial.context.candidateProviders.map(\.providerID) == ["beta"])
        let ordinary = String(decoding: RequestLogLine.render(trial.context, config: ObservabilityConfig(),
                                                              scrubber: SecretScrubber(), unixMillis: 0), as: UTF8.self)
        #expect(!ordinary.contains("last_resort"))
    }

    @Test func aLastResortThatFailsTooGivesMinus32000NamingEveryAttempt() async throws {
        let fixture = try await Fixture()
        try await openBoth(fixture)
        let sentBefore = fixture.upstream.sentTo.count
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#)
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["alpha", "beta"])
        #expect(outcome.context.error?.category == "all_failed" && outcome.context.lastResort)
        #expect(text(outcome).contains("(alpha/http: provider.connection_refused, beta/http: provider.connection_refused)"))
        #expect(try await fixture.breakerState("beta") == .open(until: fixture.clock.now() + .seconds(60)),
                "a failed last resort leaves the breaker open")
    }

    @Test func aBreakerForcedOpenByAnOperatorIsNeverALastResort() async throws {
        let fixture = try await Fixture()
        try await openBoth(fixture)
        fixture.upstream.answer("alpha", json: Self.ok)
        fixture.upstream.answer("beta", json: Self.ok)
        let alpha = try #require(fixture.breakers.breaker(chain: "ethereum", channel: Channel(providerID: "alpha", transport: .http)))
        _ = try await alpha.call(.override(.open))
        try #require(await waitFor { fixture.boards["ethereum"]?.snapshot.providers.first { $0.id == "alpha" }?.http.phase == .forcedOpen })
        let sentBefore = fixture.upstream.sentTo.count

        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#)
        #expect(outcome.context.status == .success && outcome.context.lastResort)
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["beta"], "alpha is out by an operator's hand")

        let beta = try #require(fixture.breakers.breaker(chain: "ethereum", channel: Channel(providerID: "beta", transport: .http)))
        _ = try await beta.call(.override(.open))
        try #require(await waitFor { fixture.boards["ethereum"]?.snapshot.providers.allSatisfy { $0.http.phase == .forcedOpen } == true })
        let none = try await fixture.run(#"{"jsonrpc":"2.0","id":8,"method":"eth_blockNumber"}"#)
        #expect(none.context.error?.category == "no_provider")
        #expect(text(none).contains("no provider available for eth_blockNumber on ethereum"))
        #expect(fixture.upstream.sentTo.count == sentBefore + 1)
    }

    @Test func aHalfOpenChannelWhoseTrialIsTakenIsTriedLastWhenEveryOtherFailed() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("alpha") { _ in .failure(.connectionRefused) }
        fixture.upstream.answer("beta", json: Self.ok)
        for n in 0..<5 { _ = try await fixture.run(#"{"jsonrpc":"2.0","id":\#(n),"method":"eth_blockNumber"}"#) }
        try #require(try await waitFor {
            if case .open? = try await fixture.breakerState("alpha") { return true }
            return false
        })
        fixture.clock.advance(by: .seconds(60))
        try #require(try await waitFor {
            try await fixture.breakerState("alpha") == .halfOpen(successes: 0, trialInFlight: false)
        })
        let alpha = try #require(fixture.breakers.breaker(chain: "ethereum", channel: Channel(providerID: "alpha", transport: .http)))
        #expect(try await alpha.call(.admit) == .allowed(.trial(episode: 1)), "a probe holds the trial")
        fixture.upstream.answer("alpha", json: Self.ok)
        fixture.upstream.answer("beta") { _ in .failure(.timeout) }
        let sentBefore = fixture.upstream.sentTo.count

        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":9,"method":"eth_blockNumber"}"#)
        #expect(outcome.context.candidateProviders.map(\.providerID) == ["beta", "alpha"])
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["beta", "alpha"])
        #expect(outcome.context.status == .success && outcome.context.lastResort)
        #expect(outcome.context.selectedProvider?.providerID == "alpha" && outcome.context.circuitBreakerState == .halfOpen)
        // Not the trial: closing the breaker is still up to its trials.
        #expect(try await fixture.breakerState("alpha") == .halfOpen(successes: 0, trialInFlight: true))
    }

    @Test func aWriteThatWasSentIsNeverRetriedAsALastResort() async throws {
        let fixture = try await Fixture()
        fixture.upstream.answer("gamma") { _ in .failure(.timeout) }
        fixture.upstream.answer("delta") { _ in .failure(.timeout) }
        for n in 0..<5 { _ = try await fixture.run(#"{"jsonrpc":"2.0","id":\#(n),"method":"eth_blockNumber"}"#, chain: "writable") }
        for provider in ["gamma", "delta"] {
            try #require(try await waitFor {
                if case .open? = try await fixture.breakerState(provider, chain: "writable") { return true }
                return false
            })
        }
        let sentBefore = fixture.upstream.sentTo.count
        let outcome = try await fixture.run(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x0"]}"#,
                                            chain: "writable")
        #expect(Array(fixture.upstream.sentTo.dropFirst(sentBefore)) == ["gamma"], "sent once, to the best open channel")
        #expect(outcome.context.lastResort && outcome.context.error?.code == -32000)
        #expect(text(outcome).contains("may have been broadcast"))
    }
}
