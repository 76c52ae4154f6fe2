import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import Supervision
import TestSupport

/// Every circuit-breaker transition over real sockets, observed through
/// `GET /api/chains/:chain/status`. Probes run once at start (a long `probe_interval_ms`), so
/// the only traffic a provider sees is the test's.
@Suite(.serialized) struct BreakerEndToEndTests {
    static let reply = #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#
    static let quietProbes = "monitoring: {probe_interval_ms: 600000}"

    static let recovery = Duration.seconds(60)

    static func harness(runtime: Runtime = Runtime()) async throws -> LassoHarness {
        let harness = try await LassoHarness(
            providers: [.init(id: "alpha", fields: "priority: 1"), .init(id: "beta", fields: "priority: 2")],
            settings: "circuit_breaker: {failure_threshold: 2, recovery_timeout_ms: \(recovery.components.seconds * 1_000), success_threshold: 2}",
            chainSettings: quietProbes, runtime: runtime)
        try await harness.waitUntilProbed()
        return harness
    }

    @Test func everyTransitionClosedOpenHalfOpenOpenHalfOpenClosed() async throws {
        // lassod's runtime on a manual clock: a breaker stays open until the test moves time past
        // the recovery timeout (a 1.5 s window on the system clock, missed by a test resumed
        // late), and the half-open admission call cannot time out on a loaded machine.
        let clock = ManualClock()
        let harness = try await Self.harness(runtime: Runtime(clock: clock))
        #expect(try await harness.breakerPhase("alpha") == "closed")

        // closed → open after two consecutive provider faults; the client never notices.
        harness.provider("alpha").behavior = .erroring(.httpServerError)
        for _ in 0..<2 { #expect(try await harness.chainID() == Self.reply) }
        #expect(harness.count("alpha") == 2)
        #expect(try await harness.waitForBreaker("alpha", "open"))
        // Open: alpha gets no more traffic.
        for _ in 0..<3 { #expect(try await harness.chainID() == Self.reply) }
        #expect(harness.count("alpha") == 2)
        #expect(harness.count("beta") == 5)

        // open → half-open by the recovery timer, with no traffic at all.
        clock.advance(by: Self.recovery)
        #expect(try await harness.waitForBreaker("alpha", "half_open"))
        #expect(harness.count("alpha") == 2, "no request was needed to leave open")

        // half-open → open on a trial fault.
        let trial = try await harness.chainID("/rpc/provider/alpha/ethereum")
        #expect(trial.contains(#""code":-32000"#))
        #expect(harness.count("alpha") == 3)
        #expect(try await harness.waitForBreaker("alpha", "open"))

        // half-open again, then success_threshold (2) successful trials close it.
        clock.advance(by: Self.recovery)
        #expect(try await harness.waitForBreaker("alpha", "half_open"))
        harness.provider("alpha").behavior = .healthy
        #expect(try await harness.chainID("/rpc/provider/alpha/ethereum") == Self.reply)
        // The trial's verdict reaches the breaker through the batching recorder's loop, which may
        // run after the reply reached the test: the next trial asks for admission once it counted
        // (while this one is in flight, a second is refused).
        let breaker = try #require(harness.app.services.breakers.breaker(chain: "ethereum",
                                                                          channel: Channel(providerID: "alpha", transport: .http)))
        #expect(await waitFor {
            (try? await breaker.call(.status))?.state == .halfOpen(successes: 1, trialInFlight: false)
        })
        #expect(try await harness.breakerPhase("alpha") == "half_open", "one success is not enough")
        #expect(try await harness.chainID("/rpc/provider/alpha/ethereum") == Self.reply)
        #expect(try await harness.waitForBreaker("alpha", "closed"))

        // Closed: alpha is the priority-1 provider again.
        #expect(try await harness.chainID() == Self.reply)
        #expect(harness.count("alpha") == 6)
        await harness.shutdown()
    }

    @Test func callerFaultsNeverOpenTheBreaker() async throws {
        let harness = try await Self.harness()
        let revert = #"{"jsonrpc":"2.0","id":5,"method":"eth_call","params":[{"to":"\#(SimulatedChain.revertingAddress)","data":"0x"},"latest"]}"#
        let direct = try await harness.client.post("http://127.0.0.1:\(harness.servers["alpha"]?.port ?? 0)/",
                                                   body: Array(revert.utf8))
        harness.provider("alpha").resetRequestCounts()
        for _ in 0..<4 {
            let answer = try await harness.post("/rpc/ethereum", revert)
            #expect(answer == String(decoding: direct.body, as: UTF8.self), "the revert comes back byte for byte")
            #expect(answer.contains("execution reverted"))
        }
        #expect(harness.count("alpha", "eth_call") == 4, "each revert was answered by alpha, no failover")
        #expect(harness.count("beta", "eth_call") == 0)
        #expect(try await harness.breakerPhase("alpha") == "closed")
        await harness.shutdown()
    }

    @Test func aRateLimitCoolsTheProviderDownWithoutOpeningItsBreaker() async throws {
        let harness = try await Self.harness()
        harness.provider("alpha").behavior = .rateLimited(retryAfterSeconds: 30)
        #expect(try await harness.chainID() == Self.reply, "beta answers in alpha's place")
        // The 429 reaches alpha's breaker as a cast; wait until its cooldown is published.
        let coolingDown = try await waitFor {
            try await harness.status().providers.first { $0.id == "alpha" }?.coolingDown == true
        }
        #expect(coolingDown)
        for _ in 0..<3 { #expect(try await harness.chainID() == Self.reply) }
        #expect(harness.count("alpha") == 1, "after its 429 alpha is skipped for the Retry-After")
        #expect(harness.count("beta") == 4)
        #expect(try await harness.breakerPhase("alpha") == "closed", "a rate limit never opens the breaker")
        await harness.shutdown()
    }

    @Test func everyBreakerOpenedByFailuresWithTheProvidersBackServesBeforeTheRecoveryTimeout() async throws {
        // A manual clock that never moves: every breaker would stay open for its whole 60 s.
        let clock = ManualClock()
        let harness = try await Self.harness(runtime: Runtime(clock: clock))
        for id in ["alpha", "beta"] { harness.provider(id).behavior = .erroring(.httpServerError) }
        // Each request fails on both providers: two of them (failure_threshold 2) open both breakers.
        for _ in 0..<2 { #expect(try await harness.chainID().contains(#""code":-32000"#)) }
        #expect(try await harness.waitForBreaker("alpha", "open"))
        #expect(try await harness.waitForBreaker("beta", "open"))

        // The providers are back; no breaker admits traffic, so lassod tries them as a last resort.
        for id in ["alpha", "beta"] { harness.provider(id).behavior = .healthy }
        #expect(try await harness.chainID() == Self.reply)
        #expect(harness.count("alpha") == 3 && harness.count("beta") == 2, "alpha, best by priority, answered")
        #expect(await waitFor {
            harness.logs.lines.contains { $0.contains(#""event":"rpc.request.completed""#) && $0.contains(#""last_resort":true"#) }
        })
        // alpha's answer starts its recovery at once; its trials close it, with the clock still.
        #expect(try await harness.waitForBreaker("alpha", "half_open"))
        let closed = try await waitFor {
            guard try await harness.chainID() == Self.reply else { return false }
            return try await harness.breakerPhase("alpha") == "closed"
        }
        #expect(closed, "alpha's trials close it")
        #expect(try await harness.breakerPhase("beta") == "open", "beta got nothing and waits for its timer")
        #expect(harness.count("beta") == 2)
        await harness.shutdown()
    }

    @Test func breakersForcedOpenByAnOperatorStayClosedToTraffic() async throws {
        let harness = try await Self.harness()
        let control = TreeControl(application: harness.app, configPath: nil)
        for id in ["alpha", "beta"] {
            _ = try await control.breaker(chain: "ethereum", provider: id, transport: .http, action: .open)
        }
        #expect(try await harness.waitForBreaker("alpha", "forced_open"))
        #expect(try await harness.waitForBreaker("beta", "forced_open"))
        let reply = try await harness.chainID()
        #expect(reply.contains(#""code":-32000"#) && reply.contains("no provider available for eth_chainId on ethereum"))
        #expect(harness.count("alpha") == 0 && harness.count("beta") == 0)
        await harness.shutdown()
    }
}
