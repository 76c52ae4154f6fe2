import Testing
@testable import Lasso

@Suite("FastestScoring")
struct FastestScoringTests {
    let scoring = FastestScoring()
    /// Twice the slowest measured candidate (50 ms), as `Selection` computes it.
    var prior: Double { scoring.priorLatencyMs(slowestMeasuredLatencyMs: 50) }

    @Test("the documented example: a lucky sample costs ≈162 against a steady channel's ≈56")
    func documentedExample() {
        let steady = scoring.cost(ChannelPerformance(samples: 100, successes: 100, latencyMs: 50), priorLatencyMs: prior)
        let lucky = scoring.cost(ChannelPerformance(samples: 1, successes: 1, latencyMs: 10), priorLatencyMs: prior)
        #expect(abs(steady - 55.77) < 0.01)
        #expect(abs(lucky - 162) < 0.01)
    }

    @Test("a consistently faster channel overtakes at its 13th sample, not before")
    func overtakesAtThirteen() {
        let steady = scoring.cost(ChannelPerformance(samples: 100, successes: 100, latencyMs: 50), priorLatencyMs: prior)
        let twelve = scoring.cost(ChannelPerformance(samples: 12, successes: 12, latencyMs: 10), priorLatencyMs: prior)
        let thirteen = scoring.cost(ChannelPerformance(samples: 13, successes: 13, latencyMs: 10), priorLatencyMs: prior)
        #expect(twelve > steady)
        #expect(thirteen < steady)
    }

    @Test("an unmeasured channel costs exactly the prior plus the prior failure share")
    func unmeasuredIsPrior() {
        #expect(abs(scoring.cost(.unmeasured, priorLatencyMs: 100) - (100 + 0.1 * 1_000)) < 1e-9)
    }

    @Test("failures do not make a channel look fast: latency evidence comes from successes only")
    func failuresAreNotSpeed() {
        let failing = scoring.cost(ChannelPerformance(samples: 50, successes: 0, latencyMs: 0), priorLatencyMs: 100)
        #expect(failing > scoring.cost(.unmeasured, priorLatencyMs: 100))
    }

    @Test("more evidence of the same latency moves the cost towards it monotonically")
    func convergence() {
        var previous = Double.infinity
        for n in [0, 1, 5, 20, 100, 1_000] as [UInt32] {
            let cost = scoring.cost(ChannelPerformance(samples: n, successes: n, latencyMs: 10), priorLatencyMs: 100)
            #expect(cost < previous)
            previous = cost
        }
        #expect(previous < 11)
    }

    @Test("inputs are clamped: NaN latency, successes above samples, negative weights")
    func clamping() {
        let performance = ChannelPerformance(samples: 2, successes: 5, latencyMs: .nan)
        #expect(performance.successes == 2)
        #expect(performance.latencyMs == 0)
        let odd = FastestScoring(priorWeight: -1, priorLatencyFactor: 0, priorSuccessRate: 2, failurePenaltyMs: -5)
        #expect(odd.priorWeight == 0)
        #expect(odd.priorLatencyFactor == 1)
        #expect(odd.priorSuccessRate == 1)
        #expect(odd.failurePenaltyMs == 0)
        #expect(odd.cost(.unmeasured, priorLatencyMs: 7) == 7)
    }
}
