import Testing
@testable import Supervision

/// The restart core both supervisors share, on a manual clock: no process is started.
@Suite struct RestartDecisionTests {
    private let failure = ExitReason.failed(TestFailure(message: "crash"))
    private let noRandom: () -> Double = { 0.5 }

    private func exit(_ restart: RestartType, _ reason: ExitReason, clock: ManualClock, window: inout RestartWindow,
                      backoff: RestartBackoff? = nil, attempt: inout Int, uptime: Duration = .seconds(1)) -> RestartDecision {
        RestartDecision.afterExit(restart: restart, reason: reason, uptime: uptime, backoff: backoff,
                                  attempt: &attempt, window: &window, now: clock.now(), random: noRandom)
    }

    @Test func restartTypeAndReasonDecideWhetherToRestart() {
        let clock = ManualClock()
        let cases: [(RestartType, ExitReason, RestartDecision)] = [
            (.permanent, .normal, .restartNow), (.permanent, .shutdown(nil), .restartNow), (.permanent, failure, .restartNow),
            (.transient, .normal, .leave(deleteSpec: false)), (.transient, .shutdown("x"), .leave(deleteSpec: false)),
            (.transient, failure, .restartNow), (.transient, .killed, .restartNow),
            (.temporary, .normal, .leave(deleteSpec: true)), (.temporary, failure, .leave(deleteSpec: true)),
        ]
        for (restart, reason, expected) in cases {
            var window = RestartWindow(.default)
            var attempt = 0
            #expect(exit(restart, reason, clock: clock, window: &window, attempt: &attempt) == expected,
                    "\(restart) after \(reason)")
            // Only restarts are counted.
            #expect(window.restarts.count == (expected == .restartNow ? 1 : 0))
        }
    }

    @Test func theWorkedExampleOfTheDocComment() {
        let clock = ManualClock(start: RuntimeInstant(nanoseconds: 0))
        var window = RestartWindow(RestartIntensity(maxRestarts: 1, period: .seconds(5)))
        var attempt = 0
        clock.advance(by: .seconds(10))
        #expect(exit(.permanent, failure, clock: clock, window: &window, attempt: &attempt) == .restartNow)
        var alternative = window
        clock.advance(by: .seconds(2))
        #expect(exit(.permanent, failure, clock: clock, window: &window, attempt: &attempt) == .giveUp)
        clock.advance(by: .seconds(4))
        #expect(exit(.permanent, failure, clock: clock, window: &alternative, attempt: &attempt) == .restartNow)
        #expect(alternative.restarts == [clock.now()])
    }

    @Test func theFourthRestartInsideTheDefaultWindowGivesUpAndTheWindowSlides() {
        let clock = ManualClock()
        var window = RestartWindow(.default)
        var attempt = 0
        for _ in 1...3 {
            #expect(exit(.permanent, failure, clock: clock, window: &window, attempt: &attempt) == .restartNow)
        }
        var slid = window
        #expect(exit(.permanent, failure, clock: clock, window: &window, attempt: &attempt) == .giveUp)
        clock.advance(by: .milliseconds(5001))
        #expect(exit(.permanent, failure, clock: clock, window: &slid, attempt: &attempt) == .restartNow)
    }

    @Test func intensityZeroGivesUpOnTheFirstRestartButLeavesWhatNeedsNoRestart() {
        let clock = ManualClock()
        var window = RestartWindow(RestartIntensity(maxRestarts: 0, period: .seconds(5)))
        var attempt = 0
        #expect(exit(.temporary, failure, clock: clock, window: &window, attempt: &attempt) == .leave(deleteSpec: true))
        #expect(exit(.transient, .normal, clock: clock, window: &window, attempt: &attempt) == .leave(deleteSpec: false))
        #expect(exit(.transient, failure, clock: clock, window: &window, attempt: &attempt) == .giveUp)
    }

    @Test func backoffDelaysTheRestartGrowsWithQuickExitsAndResetsAfterAStableRun() {
        let clock = ManualClock()
        let backoff = RestartBackoff(initial: .seconds(1), maximum: .seconds(8), multiplier: 2, jitter: 0,
                                     resetAfter: .seconds(60))
        var window = RestartWindow(RestartIntensity(maxRestarts: 100, period: .seconds(5)))
        var attempt = 0
        // Quick exits: attempts 1, 2, 3 → 2 s, 4 s, 8 s.
        for expected in [2, 4, 8] {
            #expect(exit(.permanent, failure, clock: clock, window: &window, backoff: backoff, attempt: &attempt)
                    == .restartLater(.seconds(expected)))
        }
        #expect(attempt == 3)
        // A child that ran a minute starts over at the initial delay.
        #expect(exit(.permanent, failure, clock: clock, window: &window, backoff: backoff, attempt: &attempt,
                     uptime: .seconds(60)) == .restartLater(.seconds(1)))
        #expect(attempt == 0)
        // Delayed restarts count when decided, not when they start.
        #expect(window.restarts.count == 4)
    }

    @Test func aZeroBackoffRestartsNowAndAnExitLeftAloneDoesNotMoveTheAttempt() {
        let clock = ManualClock()
        let none = RestartBackoff(initial: .zero, maximum: .zero, jitter: 0)
        var window = RestartWindow(.default)
        var attempt = 0
        #expect(exit(.permanent, failure, clock: clock, window: &window, backoff: none, attempt: &attempt) == .restartNow)
        #expect(exit(.transient, .normal, clock: clock, window: &window, backoff: none, attempt: &attempt)
                == .leave(deleteSpec: false))
        #expect(attempt == 1)
    }

    @Test func aRetryCountsInTheWindowAndKeepsTheBackoffAttempt() {
        let clock = ManualClock()
        let backoff = RestartBackoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0)
        var window = RestartWindow(RestartIntensity(maxRestarts: 2, period: .seconds(5)))
        #expect(RestartDecision.retry(backoff: nil, attempt: 0, window: &window, now: clock.now(), random: noRandom)
                == .restartNow)
        #expect(RestartDecision.retry(backoff: backoff, attempt: 2, window: &window, now: clock.now(), random: noRandom)
                == .restartLater(.seconds(4)))
        #expect(RestartDecision.retry(backoff: nil, attempt: 0, window: &window, now: clock.now(), random: noRandom)
                == .giveUp)
    }

    @Test func jitterIsDrawnOnlyForABackoff() {
        let clock = ManualClock()
        var window = RestartWindow(.default)
        var draws = 0
        _ = RestartDecision.retry(backoff: nil, attempt: 0, window: &window, now: clock.now()) { draws += 1; return 0 }
        #expect(draws == 0)
        let jittered = RestartDecision.retry(backoff: RestartBackoff(initial: .seconds(1), jitter: 0.5), attempt: 0,
                                             window: &window, now: clock.now()) { draws += 1; return 0 }
        #expect(draws == 1)
        #expect(jittered == .restartLater(.milliseconds(500)))
    }
}
