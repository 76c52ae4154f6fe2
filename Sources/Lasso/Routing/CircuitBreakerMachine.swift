import Supervision

/// The pure state machine behind one `CircuitBreaker(provider, transport)` process.
///
/// Guarantees:
/// - **closed → open** after `failureThreshold` consecutive provider faults. Successes reset the
///   count; caller faults (`.neutral`) and rate limits neither add to it nor reset it.
/// - **open → half-open** through `timerFired(now:)` once `open(until:)` has passed. Nothing
///   depends on traffic arriving, so an idle provider still recovers. The owning process arms
///   one timer for `nextDeadline` after every event. Earlier only when an attempt sent as a last
///   resort (`.lastResort` ticket: no channel of the chain admitted traffic) succeeds.
/// - **forced open** never admits and ignores every outcome until an operator lets go.
/// - **half-open** admits one trial at a time (`admit(now:)` hands out a `.trial` ticket).
///   `successThreshold` successful trials close the breaker; any provider fault reopens it for
///   another `recoveryTimeout`. A caller fault (or any other `.neutral` outcome), a rate limit
///   or an abandoned attempt frees the trial slot without counting either way.
/// - **Rate limits** never move the phase. They start a cooldown during which `admit` rejects:
///   the provider's `Retry-After` when given, else a default that doubles per consecutive rate
///   limit (reset by any success).
/// - **Operators** can force the breaker open (held until they close it), force it closed, or
///   reset it to a fresh state.
/// - Every event reports the `Transition` it caused, if the phase changed, with the rule that
///   fired (`Cause`), so a caller can tell exactly what one event did.
///
/// The owning process (`CircuitBreaker`): after each event — a verdict (`record`), its timer
/// (`timerFired`), an operator's `forceOpen`, `forceClosed` or `reset` — it publishes `health`
/// to the chain's board if it changed, announces a changed phase as `breaker.transition` on the
/// chain's `PubSub` topic (where `ChainEventLog` turns it into a log line), and re-arms its
/// single timer for `nextDeadline`. It compares phases before and after rather than keeping
/// each `Transition`, so a batch of verdicts is announced once, as its net change. Admission on
/// the hot path need not visit the process while the published health is closed and not
/// cooling down (`admit` would answer `.allowed(.regular)` without changing anything); only a
/// half-open channel needs the process, to claim its trial slot.
///
/// Worked example with the defaults (5 faults, 60 s, 2 successes), times in ms:
/// ```swift
/// let t = RuntimeInstant.init(milliseconds:)
/// var breaker = CircuitBreakerMachine()
/// for _ in 0..<5 { _ = breaker.record(.providerFault, ticket: .regular, now: t(1_000)) }
/// // fifth fault → Transition(.closed(4) → .open(until: 61 000), .failureThreshold)
/// let deadline = breaker.nextDeadline                      // 61 000: the process arms its timer for then
/// let halfOpen = breaker.timerFired(now: t(61_000))        // → .halfOpen(successes: 0, trialInFlight: false)
/// let trial = breaker.admit(now: t(61_000))                // → .allowed(.trial(episode: 1))
/// let second = breaker.admit(now: t(61_001))               // → .rejected(.trialInFlight)
/// _ = breaker.record(.success, ticket: .trial(episode: 1), now: t(61_050))   // successes 1
/// let next = breaker.admit(now: t(61_100))                 // → .allowed(.trial(episode: 1))
/// let closed = breaker.record(.success, ticket: .trial(episode: 1), now: t(61_150))   // → .closed(0)
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct CircuitBreakerMachine: Equatable, Sendable {
    /// Where the breaker is, with the counters that decide its next move.
    public enum State: Equatable, Sendable {
        /// Admitting traffic; `consecutiveFailures` provider faults seen since the last success.
        case closed(consecutiveFailures: Int)
        /// Rejecting traffic until the recovery timer fires at or after `until`.
        case open(until: RuntimeInstant)
        /// Admitting one trial at a time; `successes` trials have succeeded in this episode.
        case halfOpen(successes: Int, trialInFlight: Bool)
        /// Rejecting traffic until an operator closes or resets the breaker. No timer applies:
        /// an operator who takes a provider out means it to stay out.
        case forcedOpen

        /// The phase without its counters.
        public var phase: BreakerPhase {
            switch self {
            case .closed: .closed
            case .open: .open
            case .halfOpen: .halfOpen
            case .forcedOpen: .forcedOpen
            }
        }
    }

    /// What happened to one attempt, as far as the breaker cares (see
    /// `ErrorClassification.breakerOutcome`).
    public enum Outcome: Equatable, Sendable {
        /// The provider answered usefully.
        case success
        /// The provider failed in a way that says something about its health.
        case providerFault
        /// Says nothing about the provider's health: a caller fault (the request was wrong), or a
        /// provider declining for a reason of its own (an unsupported method, a block it does
        /// not have yet). Frees a trial slot without counting.
        case neutral
        /// The provider asked us to slow down; `retryAfter` is its `Retry-After`, if any.
        case rateLimited(retryAfter: Duration?)
        /// The attempt never finished (client gone, request cancelled). Frees a trial slot.
        case abandoned
    }

    /// Proof of admission, handed back with the attempt's outcome.
    public enum Ticket: Equatable, Sendable {
        /// An ordinary attempt admitted while closed, or an attempt not admitted through this
        /// machine at all (a result that arrives from elsewhere).
        case regular
        /// The one half-open trial of recovery episode `episode`. Only the trial of the
        /// current episode counts towards closing; a stale one is treated as `regular`.
        case trial(episode: UInt64)
        /// An attempt sent without admission because no channel of the chain admitted traffic
        /// (`Selection` rule 6). Counts like `.regular`, except that its success ends an open
        /// period early (to half-open): the provider has just answered.
        case lastResort
    }

    /// Why `admit` turned an attempt away.
    public enum RejectionReason: Equatable, Sendable {
        /// The breaker tripped; recovery is due at `until`.
        case open(until: RuntimeInstant)
        /// An operator holds the breaker open.
        case forcedOpen
        /// Half-open and its single trial is still running.
        case trialInFlight
        /// The provider rate-limited us; it may be asked again at `until`.
        case coolingDown(until: RuntimeInstant)
    }

    /// The answer to `admit`.
    public enum Admission: Equatable, Sendable {
        /// Go ahead, and report the outcome with this ticket.
        case allowed(Ticket)
        /// Do not send to this channel now.
        case rejected(RejectionReason)
    }

    /// Why the phase changed.
    public enum Cause: String, Equatable, Sendable {
        /// `failureThreshold` consecutive provider faults while closed.
        case failureThreshold = "failure_threshold"
        /// The recovery timer fired.
        case recoveryTimeout = "recovery_timeout"
        /// A last-resort attempt succeeded while open.
        case lastResortSucceeded = "last_resort_succeeded"
        /// `successThreshold` trials succeeded.
        case trialsSucceeded = "trials_succeeded"
        /// A provider fault while half-open.
        case faultInHalfOpen = "fault_in_half_open"
        /// An operator forced the breaker open.
        case forcedOpen = "forced_open"
        /// An operator forced the breaker closed.
        case forcedClosed = "forced_closed"
        /// An operator reset the breaker.
        case reset
    }

    /// A phase change and the rule that caused it.
    public struct Transition: Equatable, Sendable {
        /// The state before the event.
        public var from: State
        /// The state after the event.
        public var to: State
        /// The rule that fired.
        public var cause: Cause

        /// A transition from `from` to `to` because of `cause`.
        public init(from: State, to: State, cause: Cause) {
            self.from = from
            self.to = to
            self.cause = cause
        }
    }

    /// Everything that changes the machine except `admit` (which needs a reply), as one value
    /// that `handle(_:now:)` applies.
    public enum Event: Equatable, Sendable {
        /// An attempt finished; see `record(_:ticket:now:)`.
        case attemptFinished(Outcome, Ticket)
        /// The process's timer went off; see `timerFired(now:)`.
        case timerFired
        /// Operator: see `forceOpen()`.
        case forceOpen
        /// Operator: see `forceClosed()`.
        case forceClosed
        /// Operator: see `reset()`.
        case reset
    }

    /// The thresholds and timeouts this machine applies.
    public let policy: CircuitBreakerPolicy
    /// The current state.
    public private(set) var state: State
    /// While set and in the future, `admit` rejects with `.coolingDown`.
    public private(set) var cooldownUntil: RuntimeInstant?
    /// Rate limits since the last success; grows the default cooldown.
    public private(set) var rateLimitStreak: Int
    /// Counts half-open episodes so a trial ticket from an earlier one cannot count now.
    public private(set) var recoveryEpisode: UInt64

    /// A closed breaker with no history.
    public init(policy: CircuitBreakerPolicy = CircuitBreakerPolicy()) {
        self.policy = policy
        self.state = .closed(consecutiveFailures: 0)
        self.cooldownUntil = nil
        self.rateLimitStreak = 0
        self.recoveryEpisode = 0
    }

    /// When the owning process must call `timerFired(now:)` next: the end of the open period or
    /// of the rate-limit cooldown, whichever is sooner; `nil` when nothing is pending.
    public var nextDeadline: RuntimeInstant? {
        var deadline = cooldownUntil
        if case .open(let until) = state {
            deadline = deadline.map { min($0, until) } ?? until
        }
        return deadline
    }

    /// What `Selection` needs to know, for the published snapshot.
    public var health: ChannelHealth {
        ChannelHealth(phase: state.phase, cooldownUntil: cooldownUntil)
    }

    /// Applies `event` at `now`, returning the phase change it caused, if any.
    public mutating func handle(_ event: Event, now: RuntimeInstant) -> Transition? {
        switch event {
        case .attemptFinished(let outcome, let ticket): record(outcome, ticket: ticket, now: now)
        case .timerFired: timerFired(now: now)
        case .forceOpen: forceOpen()
        case .forceClosed: forceClosed()
        case .reset: reset()
        }
    }

    /// Asks whether an attempt may be sent now. In half-open this claims the single trial slot,
    /// so the caller must report the attempt's outcome (or `.abandoned`) with the ticket.
    public mutating func admit(now: RuntimeInstant) -> Admission {
        switch state {
        case .forcedOpen:
            return .rejected(.forcedOpen)
        case .open(let until):
            return .rejected(.open(until: until))
        case .closed, .halfOpen:
            break
        }
        if let cooldownUntil, now < cooldownUntil {
            return .rejected(.coolingDown(until: cooldownUntil))
        }
        switch state {
        case .halfOpen(let successes, trialInFlight: false):
            state = .halfOpen(successes: successes, trialInFlight: true)
            return .allowed(.trial(episode: recoveryEpisode))
        case .halfOpen:
            return .rejected(.trialInFlight)
        default:
            return .allowed(.regular)
        }
    }

    /// Feeds the outcome of one attempt admitted with `ticket`.
    public mutating func record(_ outcome: Outcome, ticket: Ticket, now: RuntimeInstant) -> Transition? {
        switch outcome {
        case .success:
            rateLimitStreak = 0
        case .rateLimited(let retryAfter):
            rateLimitStreak += 1
            let until = now + policy.rateLimitCooldown(streak: rateLimitStreak, retryAfter: retryAfter)
            // A later, shorter Retry-After must not cut short a cooldown already promised.
            cooldownUntil = cooldownUntil.map { max($0, until) } ?? until
        case .providerFault, .neutral, .abandoned:
            break
        }

        switch state {
        case .closed(let failures):
            switch outcome {
            case .success:
                state = .closed(consecutiveFailures: 0)
            case .providerFault:
                if failures + 1 >= policy.failureThreshold {
                    return open(now: now, cause: .failureThreshold)
                }
                state = .closed(consecutiveFailures: failures + 1)
            case .neutral, .rateLimited, .abandoned:
                break
            }
            return nil

        case .halfOpen(let successes, let trialInFlight):
            if outcome == .providerFault {
                return open(now: now, cause: .faultInHalfOpen)
            }
            guard trialInFlight, ticket == .trial(episode: recoveryEpisode) else { return nil }
            if outcome == .success {
                if successes + 1 >= policy.successThreshold {
                    return move(to: .closed(consecutiveFailures: 0), cause: .trialsSucceeded)
                }
                state = .halfOpen(successes: successes + 1, trialInFlight: false)
            } else {
                state = .halfOpen(successes: successes, trialInFlight: false)
            }
            return nil

        case .open:
            // Late results of attempts admitted before the breaker opened change nothing:
            // recovery is the timer's decision — unless a last-resort attempt, sent while open,
            // succeeded: the provider is answering now, so recovery starts without waiting out
            // the timer, and trials still decide whether it closes.
            guard outcome == .success, ticket == .lastResort else { return nil }
            recoveryEpisode &+= 1
            return move(to: .halfOpen(successes: 0, trialInFlight: false), cause: .lastResortSucceeded)

        case .forcedOpen:
            return nil
        }
    }

    /// The owning process's timer went off (or any moment it chooses to re-evaluate time):
    /// ends an elapsed open period and clears an elapsed cooldown. Calling it early is harmless.
    public mutating func timerFired(now: RuntimeInstant) -> Transition? {
        if let cooldownUntil, now >= cooldownUntil {
            self.cooldownUntil = nil
        }
        if case .open(let until) = state, now >= until {
            recoveryEpisode &+= 1
            return move(to: .halfOpen(successes: 0, trialInFlight: false), cause: .recoveryTimeout)
        }
        return nil
    }

    /// Operator override: reject everything until `forceClosed()` or `reset()`.
    public mutating func forceOpen() -> Transition? {
        move(to: .forcedOpen, cause: .forcedOpen)
    }

    /// Operator override: close the breaker and forget counted faults. A rate-limit cooldown the
    /// provider asked for stays in place; `reset()` clears that too.
    public mutating func forceClosed() -> Transition? {
        move(to: .closed(consecutiveFailures: 0), cause: .forcedClosed)
    }

    /// Operator override: back to a fresh closed breaker with no cooldown and no streak.
    public mutating func reset() -> Transition? {
        cooldownUntil = nil
        rateLimitStreak = 0
        return move(to: .closed(consecutiveFailures: 0), cause: .reset)
    }

    private mutating func open(now: RuntimeInstant, cause: Cause) -> Transition? {
        move(to: .open(until: now + policy.recoveryTimeout), cause: cause)
    }

    /// Sets `next`, reporting a transition only when the phase changes; counters moving inside
    /// a phase are bookkeeping, not news.
    private mutating func move(to next: State, cause: Cause) -> Transition? {
        let previous = state
        state = next
        return previous.phase == next.phase ? nil : Transition(from: previous, to: next, cause: cause)
    }
}
