import Testing
@testable import LassoSimulation

@Suite struct BattleRunEndTests {
    @Test func aLateFaultStretchesTheRunByItsLatenessAndNothingElseDoes() {
        let end = Battle.RunEnd(durationMs: 6_000)
        end.faultFired(plannedMs: 667, firedMs: 660)
        end.faultFired(plannedMs: 2_667, firedMs: 2_667)
        #expect(end.ms == 6_000, "on time or early: the scenario's duration")
        // A kill planned at 4.667 s that a stalled host fired at 7.161 s keeps its 1.333 s of load.
        end.faultFired(plannedMs: 4_667, firedMs: 7_161)
        #expect(end.ms == 8_494)
        end.faultFired(plannedMs: 5_000, firedMs: 5_100)
        #expect(end.ms == 8_494, "a smaller lateness does not shorten the run")
    }
}
