import Testing
import Lasso
@testable import LassoSimulation

@Suite struct SimulatedProviderBehaviorTests {
    @Test func answeringBehaviors() {
        for transport in TransportKind.allCases {
            #expect(SimulatedProviderBehavior.healthy.decide(transport: transport) == .answer(delayMs: 0))
            #expect(SimulatedProviderBehavior.stalledSubscription.decide(transport: transport) == .answer(delayMs: 0))
            #expect(SimulatedProviderBehavior.lagging(blocks: 4).decide(transport: transport) == .answer(delayMs: 0))
            #expect(SimulatedProviderBehavior.slow(latencyMs: 750).decide(transport: transport) == .answer(delayMs: 750))
        }
    }

    @Test func downAndKilledCloseConnections() {
        for transport in TransportKind.allCases {
            #expect(SimulatedProviderBehavior.down.decide(transport: transport) == .closeConnection(graceful: true))
            #expect(SimulatedProviderBehavior.killed.decide(transport: transport) == .closeConnection(graceful: false))
        }
        #expect(!SimulatedProviderBehavior.down.acceptsConnections)
        #expect(!SimulatedProviderBehavior.killed.acceptsConnections)
        #expect(SimulatedProviderBehavior.down.closesOpenConnections)
        #expect(SimulatedProviderBehavior.killed.closesOpenConnections)
        #expect(!SimulatedProviderBehavior.hanging.closesOpenConnections)
    }

    @Test func hangingNeverAnswers() {
        #expect(SimulatedProviderBehavior.hanging.decide(transport: .http) == .noReply)
        #expect(SimulatedProviderBehavior.hanging.decide(transport: .ws) == .noReply)
        #expect(SimulatedProviderBehavior.hanging.acceptsConnections)
    }

    @Test func erroringStyles() {
        #expect(SimulatedProviderBehavior.erroring(.httpServerError).decide(transport: .http)
            == .failHTTP(status: 500, body: "Internal Server Error"))
        let internalError = SimulatedProviderAction.failRPC(code: -32603, message: "internal error", status: 200, retryAfterSeconds: nil)
        #expect(SimulatedProviderBehavior.erroring(.httpServerError).decide(transport: .ws) == internalError)
        #expect(SimulatedProviderBehavior.erroring(.internalError).decide(transport: .http) == internalError)
        #expect(SimulatedProviderBehavior.erroring(.internalError).decide(transport: .ws) == internalError)
    }

    @Test func rateLimitedAsks429WithRetryAfterOnHTTPOnly() {
        #expect(SimulatedProviderBehavior.rateLimited(retryAfterSeconds: 7).decide(transport: .http)
            == .failRPC(code: -32005, message: "rate limit exceeded, retry in 7 s", status: 429, retryAfterSeconds: 7))
        #expect(SimulatedProviderBehavior.rateLimited(retryAfterSeconds: 7).decide(transport: .ws)
            == .failRPC(code: -32005, message: "rate limit exceeded, retry in 7 s", status: 200, retryAfterSeconds: nil))
    }

    @Test func whichBehaviorsPushSubscriptionEvents() {
        let pushing: [SimulatedProviderBehavior] = [.healthy, .slow(latencyMs: 5), .erroring(.internalError),
                                                    .rateLimited(retryAfterSeconds: 1), .lagging(blocks: 2)]
        let silent: [SimulatedProviderBehavior] = [.stalledSubscription, .hanging, .down, .killed]
        #expect(pushing.filter { !$0.pushesSubscriptionEvents }.isEmpty)
        #expect(silent.filter(\.pushesSubscriptionEvents).isEmpty)
    }

    @Test func lagBlocks() {
        #expect(SimulatedProviderBehavior.lagging(blocks: 9).lagBlocks == 9)
        #expect(SimulatedProviderBehavior.healthy.lagBlocks == 0)
        #expect(SimulatedProviderBehavior.stalledSubscription.lagBlocks == 0)
    }

    @Test(arguments: [
        SimulatedProviderBehavior.healthy, .down, .slow(latencyMs: 250), .erroring(.httpServerError),
        .erroring(.internalError), .rateLimited(retryAfterSeconds: 5), .hanging, .stalledSubscription,
        .lagging(blocks: 3), .killed,
    ])
    func textFormRoundTrips(behavior: SimulatedProviderBehavior) {
        #expect(SimulatedProviderBehavior(parsing: behavior.description) == behavior)
    }

    @Test func parsingDefaultsAndSpellings() {
        #expect(SimulatedProviderBehavior(parsing: "slow") == .slow(latencyMs: 1_000))
        #expect(SimulatedProviderBehavior(parsing: "erroring") == .erroring(.httpServerError))
        #expect(SimulatedProviderBehavior(parsing: "rate-limited") == .rateLimited(retryAfterSeconds: 1))
        #expect(SimulatedProviderBehavior(parsing: "Stalled-Subscription") == .stalledSubscription)
        #expect(SimulatedProviderBehavior(parsing: "lagging") == .lagging(blocks: 5))
    }

    @Test(arguments: ["", "sick", "slow:fast", "lagging:-1", "down:3", "erroring:maybe", "slow:99999999999999999999"])
    func unknownTextIsRejected(text: String) {
        #expect(SimulatedProviderBehavior(parsing: text) == nil)
    }
}
