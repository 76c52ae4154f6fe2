import Supervision

/// The supervised process that owns one provider's breaker for one transport.
///
/// A thin shell around `CircuitBreakerMachine`: it feeds the machine the outcomes of attempts
/// (casts from the request pipeline, so recording never blocks a reply), arms a timer for the
/// machine's next deadline so that an open breaker turns half-open *without traffic*, and
/// publishes the machine's health to the chain's `ChainStateBoard` after every event. Each
/// change of phase also goes out as a `breaker.transition` message on the chain's `PubSub`
/// topic; a started or restarted breaker announces its `closed` phase with `from` = `none`.
///
/// The hot path asks this process for admission only while the published phase is half-open
/// (to get the single trial ticket); a closed breaker admits everything without a message.
/// It finds the process on the board too: each incarnation publishes its reference there when
/// it starts. Calls are typed (`ServerCall`s below): each answers exactly what it asks.
///
/// ```swift
/// let admission = try await breaker.call(.admit)        // .allowed(.regular): closed
/// let state = try await breaker.call(.override(.open))  // .forcedOpen, on the board before the reply
/// let status = try await breaker.call(.status)          // state and cooldown
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct CircuitBreaker: GenServer {
    /// What an operator can do to a breaker (`lassod ctl breaker …`).
    public enum Override: String, Sendable {
        case open, close, reset
    }

    /// A breaker's state and rate-limit cooldown, for status output.
    public struct Status: Sendable, Equatable {
        public var state: CircuitBreakerMachine.State
        public var cooldownUntil: RuntimeInstant?
    }

    public enum Cast: Sendable {
        /// An attempt finished; `ticket` is what `admit` returned (`.regular` when it was not asked).
        case finished(CircuitBreakerMachine.Outcome, CircuitBreakerMachine.Ticket)
        /// Several attempts' verdicts, in the order they finished (the pipeline's batch per
        /// loop turn).
        case finishedAll([Verdict])
        /// An `admit` call timed out on the caller's side: if it granted the trial, the ticket
        /// never reached anyone, so free the slot rather than stay half-open forever.
        case abandonTrial
    }

    public enum Info: Sendable {
        case deadlinePassed
    }

    let chain: String
    let provider: String
    let transport: TransportKind
    let board: ChainStateBoard
    let directory: BreakerDirectory
    let pubsub: PubSub?
    private var machine: CircuitBreakerMachine
    private var announcedPhase: BreakerPhase?
    /// What this incarnation last published (nil: nothing yet, so the first publish replaces
    /// whatever an earlier incarnation left).
    private var publishedHealth: ChannelHealth?
    private var timer: TimerHandle?
    private var armedFor: RuntimeInstant?

    public init(chain: String, provider: String, transport: TransportKind, policy: CircuitBreakerPolicy,
                board: ChainStateBoard, directory: BreakerDirectory, pubsub: PubSub? = nil) {
        self.chain = chain
        self.directory = directory
        self.pubsub = pubsub
        self.provider = provider
        self.transport = transport
        self.board = board
        machine = CircuitBreakerMachine(policy: policy)
    }

    /// The child spec, named as `lassod ctl tree` shows it: `CircuitBreaker(<provider>, <transport>)`.
    public static func childSpec(chain: String, provider: String, transport: TransportKind,
                                 policy: CircuitBreakerPolicy, board: ChainStateBoard,
                                 directory: BreakerDirectory, pubsub: PubSub? = nil) -> ChildSpec {
        let id = "CircuitBreaker(\(provider), \(transport.rawValue))"
        return ChildSpec(id: id) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) {
                CircuitBreaker(chain: chain, provider: provider, transport: transport, policy: policy,
                               board: board, directory: directory, pubsub: pubsub)
            }.process
        }
    }

    /// One attempt's outcome with the ticket it was admitted on.
    public struct Verdict: Sendable, Equatable {
        public var outcome: CircuitBreakerMachine.Outcome
        public var ticket: CircuitBreakerMachine.Ticket
        public init(outcome: CircuitBreakerMachine.Outcome, ticket: CircuitBreakerMachine.Ticket) {
            self.outcome = outcome
            self.ticket = ticket
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        // A restarted breaker starts closed; publish that, replacing whatever the last one said,
        // and become the breaker the pipeline reaches for this channel (on the board) and the
        // one operators find (in the directory).
        try directory.register(BreakerDirectory.Key(chain: chain, channel: Channel(providerID: provider, transport: transport)),
                               process: context.ref.process)
        board.publish(breaker: context.ref, provider: provider, transport: transport)
        publish(context: context)
    }

    /// Asks to send one attempt; a half-open breaker admits one trial at a time.
    fileprivate mutating func admit(context: ServerContext<Self>) -> CircuitBreakerMachine.Admission {
        let admission = machine.admit(now: Self.now(context))
        publish(context: context)
        return admission
    }

    fileprivate mutating func apply(_ override: Override, context: ServerContext<Self>) -> CircuitBreakerMachine.State {
        switch override {
        case .open: _ = machine.forceOpen()
        case .close: _ = machine.forceClosed()
        case .reset: _ = machine.reset()
        }
        publish(context: context)
        return machine.state
    }

    fileprivate var status: Status { Status(state: machine.state, cooldownUntil: machine.cooldownUntil) }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .finished(let outcome, let ticket):
            _ = machine.record(outcome, ticket: ticket, now: Self.now(context))
        case .finishedAll(let verdicts):
            let now = Self.now(context)
            for verdict in verdicts { _ = machine.record(verdict.outcome, ticket: verdict.ticket, now: now) }
        case .abandonTrial:
            _ = machine.record(.abandoned, ticket: .trial(episode: machine.recoveryEpisode), now: Self.now(context))
        }
        publish(context: context)
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        armedFor = nil
        _ = machine.timerFired(now: Self.now(context))
        publish(context: context)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        timer?.cancel()
    }

    /// Publishes the health and keeps exactly one timer armed for the machine's next deadline.
    private mutating func publish(context: ServerContext<Self>) {
        // Most verdicts change nothing (a success on a closed breaker): publishing a new
        // snapshot for them would cost every request a copy of the chain's state.
        let health = machine.health
        if health != publishedHealth {
            board.publish(health: health, provider: provider, transport: transport)
            publishedHealth = health
        }
        let phase = machine.state.phase
        if phase != announcedPhase {
            pubsub?.publish(PubSub.Message(topic: PubSub.topic(chain: chain), event: "breaker.transition", fields: [
                "chain": chain, "provider": provider, "transport": transport.rawValue,
                "from": announcedPhase?.rawValue ?? "none", "to": phase.rawValue,
            ]))
            announcedPhase = phase
        }
        let deadline = machine.nextDeadline
        guard deadline != armedFor else { return }
        timer?.cancel()
        timer = nil
        armedFor = deadline
        guard let deadline else { return }
        // To the nanosecond: a timer armed for whole milliseconds could fire just before the
        // deadline, and `armedFor` would not arm it again.
        timer = context.sendAfter(.deadlinePassed, after: deadline.since(Self.now(context)))
    }

    /// The runtime clock's reading, which the machine is fed.
    static func now(_ context: ServerContext<Self>) -> RuntimeInstant {
        context.runtime.clock.now()
    }
}

extension ServerCall where Server == CircuitBreaker {
    /// Asks to send one attempt: a closed breaker admits it on a regular ticket, a half-open one
    /// hands out its single trial ticket or refuses.
    public static var admit: ServerCall<CircuitBreaker, CircuitBreakerMachine.Admission> {
        .init { breaker, context in breaker.admit(context: context) }
    }

    /// An operator's override (`lassod ctl breaker …`); answers the state it leaves. The new
    /// phase is on the board before the reply.
    public static func override(_ override: CircuitBreaker.Override) -> ServerCall<CircuitBreaker, CircuitBreakerMachine.State> {
        .init { breaker, context in breaker.apply(override, context: context) }
    }

    /// The current state and cooldown, for status output.
    public static var status: ServerCall<CircuitBreaker, CircuitBreaker.Status> {
        .init { breaker, _ in breaker.status }
    }
}

extension CircuitBreaker {
    /// How long an attempt waits for a half-open breaker's answer before giving up on the trial.
    static let admissionTimeout: Duration = .seconds(1)

    /// The one admission exchange, for every caller that needs a breaker's permission before
    /// sending (a half-open channel's request, a health probe): asks `breaker` to admit one
    /// attempt and returns the ticket to send it on, or `nil` when it may not be sent.
    ///
    /// - No breaker (none started yet) or one that is gone (its successor has not published
    ///   itself yet): `.regular`, as if the channel were closed; nothing counts the attempt's
    ///   trial either way.
    /// - No answer in time: the breaker may have granted the trial, and the ticket would then
    ///   never come back, keeping it half-open for good; so it is told to abandon the trial,
    ///   and the attempt is not sent.
    public static func admission(from breaker: ServerRef<CircuitBreaker>?) async -> CircuitBreakerMachine.Ticket? {
        guard let breaker else { return .regular }
        let admission: CircuitBreakerMachine.Admission
        do {
            admission = try await breaker.call(.admit, timeout: admissionTimeout)
        } catch .noProcess {
            return .regular
        } catch {
            breaker.cast(.abandonTrial)
            return nil
        }
        guard case .allowed(let ticket) = admission else { return nil }
        return ticket
    }
}

extension CircuitBreakerPolicy {
    /// The policy the config asks for, with the built-in rate-limit cooldowns.
    public init(_ config: CircuitBreakerConfig) {
        self.init(failureThreshold: config.failureThreshold,
                  recoveryTimeout: config.recoveryTimeout,
                  successThreshold: config.successThreshold)
    }
}
