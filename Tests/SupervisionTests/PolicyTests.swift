import Testing
@testable import Supervision
import TestSupport

@Suite struct PolicyTests {
    private func at(_ ms: UInt64) -> RuntimeInstant { RuntimeInstant(nanoseconds: ms * 1_000_000) }

    @Test func restartWindowKeepsRestartsAtTheBoundaryAndDropsOlderOnes() {
        let policy = RestartIntensity(maxRestarts: 1, period: .seconds(5))
        var history: [RuntimeInstant] = []
        #expect(policy.recordRestart(at: at(10_000), in: &history))
        // Exactly `period` later the first restart is still inside the window (OTP keeps R >= Now - Period).
        #expect(!policy.recordRestart(at: at(15_000), in: &history))
        history = [at(10_000)]
        #expect(policy.recordRestart(at: at(15_001), in: &history))
        #expect(history == [at(15_001)])
    }

    @Test func strategiesChooseTheirRestartGroups() {
        #expect(SupervisorStrategy.oneForOne.restartGroup(failedIndex: 1, childCount: 3) == 1..<2)
        #expect(SupervisorStrategy.oneForAll.restartGroup(failedIndex: 1, childCount: 3) == 0..<3)
        #expect(SupervisorStrategy.restForOne.restartGroup(failedIndex: 1, childCount: 3) == 1..<3)
    }

    @Test func backoffGrowsIsCappedJittersAndResets() {
        let backoff = RestartBackoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0.5,
                                     resetAfter: .seconds(10))
        #expect(backoff.delay(attempt: 0, random: 0.5) == .milliseconds(100))
        #expect(backoff.delay(attempt: 2, random: 0.5) == .milliseconds(400))
        #expect(backoff.delay(attempt: 10, random: 0.5) == .seconds(1))
        #expect(backoff.delay(attempt: 0, random: 0) == .milliseconds(50))
        #expect(backoff.delay(attempt: 0, random: 0.999_999) < .milliseconds(150))
        #expect(backoff.delay(attempt: 30, random: 0.999_999) <= .seconds(1))
        #expect(backoff.nextAttempt(previous: 3, uptime: .seconds(1)) == 4)
        #expect(backoff.nextAttempt(previous: 3, uptime: .seconds(10)) == 0)
    }

    @Test func manualClockFiresTimersInDeadlineOrderAndNotBefore() {
        let clock = ManualClock()
        let fired = Journal()
        clock.schedule(after: .seconds(2)) { fired.record("two") }
        clock.schedule(after: .seconds(1)) { fired.record("one") }
        let cancelled = clock.schedule(after: .seconds(1)) { fired.record("cancelled") }
        clock.schedule(after: .seconds(1)) { fired.record("one-again") }
        cancelled.cancel()
        clock.advance(by: .milliseconds(999))
        #expect(fired.all.isEmpty)
        clock.advance(by: .seconds(5))
        #expect(fired.all == ["one", "one-again", "two"])
        #expect(clock.pendingTimers == 0)
    }

    @Test func manualClockFiresATimerWhoseDeadlineHasPassedAtOnce() {
        let clock = ManualClock()
        let start = clock.now()
        clock.advance(by: .seconds(3))
        let fired = Journal()
        clock.schedule(at: start + .seconds(1)) { fired.record("late") }
        #expect(fired.all == ["late"])
    }

    @Test func systemClockFiresATimer() async {
        let clock = SystemClock()
        let fired = Journal()
        clock.schedule(after: .milliseconds(5)) { fired.record("fired") }
        #expect(await waitFor { fired.all == ["fired"] }, "the timer fired")
    }

    @Test func pidsAreUniqueIncreasingAndRoundTripThroughJSON() throws {
        let first = PID.next()
        let second = PID.next()
        #expect(first < second)
        #expect(second.description == "<0.\(second.value).0>")
    }

    @Test func exitReasonsKnowWhichAreNormal() {
        #expect(ExitReason.normal.isNormal)
        #expect(ExitReason.shutdown("x").isNormal)
        #expect(!ExitReason.failed(TestFailure(message: "x")).isNormal)
        #expect(!ExitReason.killed.isNormal)
        #expect(!ExitReason.noProcess.isNormal)
    }
}
