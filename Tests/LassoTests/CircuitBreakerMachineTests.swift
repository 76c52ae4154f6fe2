import Supervision
import Testing
@testable import Lasso

private func at(_ ms: UInt64) -> RuntimeInstant { RuntimeInstant(milliseconds: ms) }

/// A breaker opened at `t` by `failureThreshold` provider faults.
private func openedBreaker(at t: UInt64 = 1_000, policy: CircuitBreakerPolicy = CircuitBreakerPolicy()) -> CircuitBreakerMachine {
    var breaker = CircuitBreakerMachine(policy: policy)
    for _ in 0..<policy.failureThreshold { _ = breaker.record(.providerFault, ticket: .regular, now: at(t)) }
    return breaker
}

/// A breaker opened at 1 000 ms and moved to half-open by its timer at 61 000 ms.
private func halfOpenBreaker(policy: CircuitBreakerPolicy = CircuitBreakerPolicy()) -> CircuitBreakerMachine {
    var breaker = openedBreaker(policy: policy)
    _ = breaker.timerFired(now: at(1_000) + policy.recoveryTimeout)
    return breaker
}

private func trialTicket(_ breaker: inout CircuitBreakerMachine, now: UInt64) -> CircuitBreakerMachine.Ticket? {
    if case .allowed(let ticket) = breaker.admit(now: at(now)) { return ticket }
    return nil
}

@Suite("CircuitBreakerMachine")
struct CircuitBreakerMachineTests {
    @Test("a new breaker is closed with the documented defaults")
    func defaults() {
        let breaker = CircuitBreakerMachine()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.policy.failureThreshold == 5)
        #expect(breaker.policy.recoveryTimeout == .seconds(60))
        #expect(breaker.policy.successThreshold == 2)
        #expect(breaker.nextDeadline == nil)
    }

    @Test("closed counts consecutive provider faults and opens at the threshold, not before")
    func closedToOpen() {
        var breaker = CircuitBreakerMachine()
        for n in 1...4 {
            #expect(breaker.record(.providerFault, ticket: .regular, now: at(1_000)) == nil)
            #expect(breaker.state == .closed(consecutiveFailures: n))
        }
        let transition = breaker.record(.providerFault, ticket: .regular, now: at(1_000))
        #expect(transition == .init(from: .closed(consecutiveFailures: 4), to: .open(until: at(61_000)), cause: .failureThreshold))
        #expect(breaker.state == .open(until: at(61_000)))
        #expect(breaker.nextDeadline == at(61_000))
    }

    @Test("a success resets the consecutive fault count")
    func successResetsCount() {
        var breaker = CircuitBreakerMachine()
        for _ in 0..<4 { _ = breaker.record(.providerFault, ticket: .regular, now: at(0)) }
        _ = breaker.record(.success, ticket: .regular, now: at(0))
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        for _ in 0..<4 { _ = breaker.record(.providerFault, ticket: .regular, now: at(0)) }
        #expect(breaker.state.phase == .closed)
    }

    @Test("caller faults (neutral outcomes) never count and never reset the count")
    func neutralNeverCounts() {
        var breaker = CircuitBreakerMachine()
        for _ in 0..<3 { _ = breaker.record(.providerFault, ticket: .regular, now: at(0)) }
        for _ in 0..<20 { #expect(breaker.record(.neutral, ticket: .regular, now: at(0)) == nil) }
        #expect(breaker.state == .closed(consecutiveFailures: 3))
    }

    @Test("open rejects with its deadline and results arriving while open change nothing")
    func openRejects() {
        var breaker = openedBreaker()
        #expect(breaker.admit(now: at(30_000)) == .rejected(.open(until: at(61_000))))
        #expect(breaker.record(.success, ticket: .regular, now: at(30_000)) == nil)
        #expect(breaker.record(.providerFault, ticket: .regular, now: at(30_000)) == nil)
        #expect(breaker.state == .open(until: at(61_000)))
    }

    @Test("a last-resort attempt's success while open starts recovery at once; its fault and other tickets change nothing")
    func lastResortSuccessHalfOpens() {
        var breaker = openedBreaker()
        #expect(breaker.record(.providerFault, ticket: .lastResort, now: at(2_000)) == nil)
        #expect(breaker.record(.neutral, ticket: .lastResort, now: at(2_000)) == nil)
        #expect(breaker.state == .open(until: at(61_000)))
        let episode = breaker.recoveryEpisode
        #expect(breaker.record(.success, ticket: .lastResort, now: at(3_000))
                == .init(from: .open(until: at(61_000)), to: .halfOpen(successes: 0, trialInFlight: false),
                         cause: .lastResortSucceeded))
        #expect(breaker.recoveryEpisode == episode + 1)
        #expect(breaker.nextDeadline == nil, "no recovery timer left to wait for")
        // Closing is still up to the trials.
        #expect(breaker.admit(now: at(3_001)) == .allowed(.trial(episode: episode + 1)))
        #expect(breaker.record(.success, ticket: .lastResort, now: at(3_002)) == nil)
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: true))
        var forced = CircuitBreakerMachine()
        _ = forced.forceOpen()
        #expect(forced.record(.success, ticket: .lastResort, now: at(0)) == nil)
        #expect(forced.state == .forcedOpen)
    }

    @Test("open → half-open happens by the timer alone, not before the deadline")
    func timerRecovers() {
        var breaker = openedBreaker()
        #expect(breaker.timerFired(now: at(60_999)) == nil)
        #expect(breaker.state.phase == .open)
        // Admission past the deadline does not recover: only the timer moves the phase.
        #expect(breaker.admit(now: at(61_500)) == .rejected(.open(until: at(61_000))))
        let transition = breaker.timerFired(now: at(61_000))
        #expect(transition == .init(from: .open(until: at(61_000)), to: .halfOpen(successes: 0, trialInFlight: false), cause: .recoveryTimeout))
        #expect(breaker.nextDeadline == nil)
    }

    @Test("half-open admits exactly one trial at a time")
    func oneTrialAtATime() {
        var breaker = halfOpenBreaker()
        let first = breaker.admit(now: at(61_000))
        #expect(first == .allowed(.trial(episode: breaker.recoveryEpisode)))
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: true))
        #expect(breaker.admit(now: at(61_001)) == .rejected(.trialInFlight))
    }

    @Test("success_threshold successful trials close the breaker")
    func trialsClose() {
        var breaker = halfOpenBreaker()
        let firstTicket = trialTicket(&breaker, now: 61_000)
        #expect(breaker.record(.success, ticket: firstTicket ?? .regular, now: at(61_010)) == nil)
        #expect(breaker.state == .halfOpen(successes: 1, trialInFlight: false))
        let secondTicket = trialTicket(&breaker, now: 61_020)
        let transition = breaker.record(.success, ticket: secondTicket ?? .regular, now: at(61_030))
        #expect(transition == .init(from: .halfOpen(successes: 1, trialInFlight: true), to: .closed(consecutiveFailures: 0), cause: .trialsSucceeded))
    }

    @Test("a provider fault in half-open reopens for another recovery timeout")
    func faultReopens() {
        var breaker = halfOpenBreaker()
        let ticket = trialTicket(&breaker, now: 61_000)
        let transition = breaker.record(.providerFault, ticket: ticket ?? .regular, now: at(62_000))
        #expect(transition?.to == .open(until: at(122_000)))
        #expect(transition?.cause == .faultInHalfOpen)
        #expect(breaker.nextDeadline == at(122_000))
    }

    @Test("a fault from a non-trial attempt in half-open also reopens")
    func regularFaultReopens() {
        var breaker = halfOpenBreaker()
        #expect(breaker.record(.providerFault, ticket: .regular, now: at(61_500))?.to == .open(until: at(121_500)))
    }

    @Test("a caller fault ends a half-open trial without counting either way")
    func neutralEndsTrial() {
        var breaker = halfOpenBreaker()
        let ticket = trialTicket(&breaker, now: 61_000)
        #expect(breaker.record(.neutral, ticket: ticket ?? .regular, now: at(61_010)) == nil)
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: false))
        #expect(breaker.admit(now: at(61_020)) == .allowed(.trial(episode: breaker.recoveryEpisode)))
    }

    @Test("an abandoned trial frees the slot")
    func abandonedFreesSlot() {
        var breaker = halfOpenBreaker()
        let ticket = trialTicket(&breaker, now: 61_000)
        _ = breaker.record(.abandoned, ticket: ticket ?? .regular, now: at(61_010))
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: false))
    }

    @Test("successes without the current trial ticket do not count towards closing")
    func staleTicketDoesNotCount() {
        var breaker = halfOpenBreaker()
        let staleEpisode = breaker.recoveryEpisode &- 1
        _ = trialTicket(&breaker, now: 61_000)
        _ = breaker.record(.success, ticket: .regular, now: at(61_001))
        _ = breaker.record(.success, ticket: .trial(episode: staleEpisode), now: at(61_002))
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: true))
    }

    @Test("a trial from an earlier recovery episode cannot close the breaker")
    func episodeGuard() {
        var breaker = halfOpenBreaker()
        let oldTicket = trialTicket(&breaker, now: 61_000) ?? .regular
        _ = breaker.record(.providerFault, ticket: .regular, now: at(61_100))
        _ = breaker.timerFired(now: at(121_100))
        _ = trialTicket(&breaker, now: 121_100)
        _ = breaker.record(.success, ticket: oldTicket, now: at(121_200))
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: true))
    }

    @Test("policies are configurable: 2 faults, 10 s, 1 success")
    func customPolicy() {
        let policy = CircuitBreakerPolicy(failureThreshold: 2, recoveryTimeout: .seconds(10), successThreshold: 1)
        var breaker = CircuitBreakerMachine(policy: policy)
        _ = breaker.record(.providerFault, ticket: .regular, now: at(0))
        #expect(breaker.record(.providerFault, ticket: .regular, now: at(0))?.to == .open(until: at(10_000)))
        _ = breaker.timerFired(now: at(10_000))
        let ticket = trialTicket(&breaker, now: 10_000)
        #expect(breaker.record(.success, ticket: ticket ?? .regular, now: at(10_001))?.to == .closed(consecutiveFailures: 0))
    }

    @Test("zero thresholds are clamped to one")
    func clampedPolicy() {
        let policy = CircuitBreakerPolicy(failureThreshold: 0, successThreshold: 0)
        #expect(policy.failureThreshold == 1)
        #expect(policy.successThreshold == 1)
    }
}

@Suite("CircuitBreakerMachine rate-limit cooldown")
struct CircuitBreakerCooldownTests {
    @Test("a rate limit with Retry-After cools down exactly that long without opening")
    func retryAfterHonoured() {
        var breaker = CircuitBreakerMachine()
        #expect(breaker.record(.rateLimited(retryAfter: .milliseconds(7_000)), ticket: .regular, now: at(1_000)) == nil)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.admit(now: at(7_999)) == .rejected(.coolingDown(until: at(8_000))))
        #expect(breaker.nextDeadline == at(8_000))
        #expect(breaker.admit(now: at(8_000)) == .allowed(.regular))
    }

    @Test("without Retry-After the default cooldown starts at 1 s and doubles per repeat, capped")
    func defaultCooldownGrows() {
        var breaker = CircuitBreakerMachine()
        var expected: [UInt64] = []
        var now: UInt64 = 0
        for _ in 0..<7 {
            _ = breaker.record(.rateLimited(retryAfter: nil), ticket: .regular, now: at(now))
            expected.append((breaker.cooldownUntil?.milliseconds ?? 0) - now)
            now += 100_000
        }
        #expect(expected == [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
    }

    @Test("a success resets the cooldown growth")
    func successResetsGrowth() {
        var breaker = CircuitBreakerMachine()
        _ = breaker.record(.rateLimited(retryAfter: nil), ticket: .regular, now: at(0))
        _ = breaker.record(.rateLimited(retryAfter: nil), ticket: .regular, now: at(10_000))
        _ = breaker.record(.success, ticket: .regular, now: at(20_000))
        _ = breaker.record(.rateLimited(retryAfter: nil), ticket: .regular, now: at(30_000))
        #expect(breaker.cooldownUntil == at(31_000))
    }

    @Test("rate limits never count towards opening")
    func rateLimitsDoNotOpen() {
        var breaker = CircuitBreakerMachine()
        for n in 0..<50 { _ = breaker.record(.rateLimited(retryAfter: nil), ticket: .regular, now: at(UInt64(n) * 100_000)) }
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test("a shorter later Retry-After does not shorten the cooldown")
    func cooldownNeverShrinks() {
        var breaker = CircuitBreakerMachine()
        _ = breaker.record(.rateLimited(retryAfter: .milliseconds(10_000)), ticket: .regular, now: at(0))
        _ = breaker.record(.rateLimited(retryAfter: .milliseconds(1_000)), ticket: .regular, now: at(100))
        #expect(breaker.cooldownUntil == at(10_000))
    }

    @Test("an absurd Retry-After is capped at maxRetryAfter")
    func retryAfterCapped() {
        var breaker = CircuitBreakerMachine()
        _ = breaker.record(.rateLimited(retryAfter: .seconds(Int64.max)), ticket: .regular, now: at(5))
        #expect(breaker.cooldownUntil == at(300_005))
    }

    @Test("the timer clears an elapsed cooldown; the earlier of cooldown and open is the next deadline")
    func timerClearsCooldown() {
        var breaker = openedBreaker(at: 0)
        _ = breaker.record(.rateLimited(retryAfter: .milliseconds(5_000)), ticket: .regular, now: at(0))
        #expect(breaker.nextDeadline == at(5_000))
        #expect(breaker.timerFired(now: at(5_000)) == nil)
        #expect(breaker.cooldownUntil == nil)
        #expect(breaker.nextDeadline == at(60_000))
    }

    @Test("a rate-limited half-open trial frees the slot, and admission waits for the cooldown")
    func rateLimitInHalfOpen() {
        var breaker = halfOpenBreaker()
        let ticket = trialTicket(&breaker, now: 61_000)
        #expect(breaker.record(.rateLimited(retryAfter: .milliseconds(2_000)), ticket: ticket ?? .regular, now: at(61_000)) == nil)
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: false))
        #expect(breaker.admit(now: at(62_000)) == .rejected(.coolingDown(until: at(63_000))))
        #expect(breaker.state == .halfOpen(successes: 0, trialInFlight: false))
        #expect(breaker.admit(now: at(63_000)) == .allowed(.trial(episode: breaker.recoveryEpisode)))
    }

    @Test("health publishes phase and cooldown for Selection")
    func healthSnapshot() {
        var breaker = CircuitBreakerMachine()
        _ = breaker.record(.rateLimited(retryAfter: .milliseconds(3_000)), ticket: .regular, now: at(0))
        #expect(breaker.health == ChannelHealth(phase: .closed, cooldownUntil: at(3_000)))
    }
}

@Suite("CircuitBreakerMachine operator overrides")
struct CircuitBreakerOverrideTests {
    @Test("force open holds the breaker open with no timer until an operator closes it")
    func forceOpen() {
        var breaker = CircuitBreakerMachine()
        #expect(breaker.forceOpen() == .init(from: .closed(consecutiveFailures: 0), to: .forcedOpen, cause: .forcedOpen))
        #expect(breaker.admit(now: at(0)) == .rejected(.forcedOpen))
        #expect(breaker.nextDeadline == nil)
        #expect(breaker.timerFired(now: at(10_000_000)) == nil)
        #expect(breaker.record(.success, ticket: .regular, now: at(0)) == nil)
        #expect(breaker.state == .forcedOpen)
        #expect(breaker.forceOpen() == nil)
    }

    @Test("force closed closes an open breaker and forgets faults but keeps a cooldown")
    func forceClosed() {
        var breaker = openedBreaker(at: 0)
        _ = breaker.record(.rateLimited(retryAfter: .milliseconds(9_000)), ticket: .regular, now: at(0))
        let transition = breaker.forceClosed()
        #expect(transition == .init(from: .open(until: at(60_000)), to: .closed(consecutiveFailures: 0), cause: .forcedClosed))
        #expect(breaker.cooldownUntil == at(9_000))
        #expect(breaker.admit(now: at(1_000)) == .rejected(.coolingDown(until: at(9_000))))
    }

    @Test("force closed on a closed breaker resets its count and reports no transition")
    func forceClosedWhileClosed() {
        var breaker = CircuitBreakerMachine()
        for _ in 0..<3 { _ = breaker.record(.providerFault, ticket: .regular, now: at(0)) }
        #expect(breaker.forceClosed() == nil)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test("reset returns to a fresh breaker: closed, no cooldown, no streak")
    func reset() {
        var breaker = CircuitBreakerMachine()
        _ = breaker.forceOpen()
        _ = breaker.record(.rateLimited(retryAfter: nil), ticket: .regular, now: at(0))
        #expect(breaker.reset()?.cause == .reset)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.cooldownUntil == nil)
        #expect(breaker.rateLimitStreak == 0)
        #expect(breaker.admit(now: at(0)) == .allowed(.regular))
    }

    @Test("phases have stable names for logs and metrics")
    func phaseNames() {
        #expect(BreakerPhase.allCases.map(\.rawValue) == ["closed", "half_open", "open", "forced_open"])
        #expect(BreakerPhase.allCases.filter(\.admitsTraffic) == [.closed, .halfOpen])
    }
}

@Suite("CircuitBreakerMachine events")
struct CircuitBreakerEventTests {
    @Test("handle applies each event like the matching method")
    func handleMatchesMethods() {
        var viaEvents = CircuitBreakerMachine()
        var viaMethods = CircuitBreakerMachine()
        let script: [(CircuitBreakerMachine.Event, UInt64)] = [
            (.attemptFinished(.providerFault, .regular), 0), (.attemptFinished(.providerFault, .regular), 1),
            (.attemptFinished(.providerFault, .regular), 2), (.attemptFinished(.rateLimited(retryAfter: .milliseconds(500)), .regular), 3),
            (.attemptFinished(.providerFault, .regular), 4), (.attemptFinished(.providerFault, .regular), 5),
            (.timerFired, 60_005), (.forceOpen, 60_006), (.forceClosed, 60_007), (.reset, 60_008),
        ]
        var transitions: [CircuitBreakerMachine.Transition?] = []
        for (event, ms) in script {
            let now = RuntimeInstant(milliseconds: ms)
            let viaEvent = viaEvents.handle(event, now: now)
            let viaMethod: CircuitBreakerMachine.Transition? = switch event {
            case .attemptFinished(let outcome, let ticket): viaMethods.record(outcome, ticket: ticket, now: now)
            case .timerFired: viaMethods.timerFired(now: now)
            case .forceOpen: viaMethods.forceOpen()
            case .forceClosed: viaMethods.forceClosed()
            case .reset: viaMethods.reset()
            }
            #expect(viaEvent == viaMethod)
            #expect(viaEvents == viaMethods)
            transitions.append(viaEvent)
        }
        #expect(transitions.compactMap { $0?.cause } == [.failureThreshold, .recoveryTimeout, .forcedOpen, .forcedClosed])
    }
}
