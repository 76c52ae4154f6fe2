import Supervision

/// What one attempt on one channel means for the rest of lassod: the verdict its breaker must
/// hear, and — when the verdict says something about the provider's speed — a latency sample
/// for the benchmark store.
public struct FinishedAttempt: Sendable {
    /// The channel's breaker as the chain's board published it when the attempt started; `nil`
    /// when none had started.
    public var breaker: ServerRef<CircuitBreaker>?
    public var channel: Channel
    /// How the attempt was judged.
    public var verdict: ErrorClassification
    /// What `admit` returned (`.regular` when it was not asked).
    public var ticket: CircuitBreakerMachine.Ticket
    public var sample: BenchmarkSample?

    public init(breaker: ServerRef<CircuitBreaker>?, channel: Channel, verdict: ErrorClassification,
                ticket: CircuitBreakerMachine.Ticket, sample: BenchmarkSample?) {
        self.breaker = breaker
        self.channel = channel
        self.verdict = verdict
        self.ticket = ticket
        self.sample = sample
    }

    /// What the breaker's machine is fed.
    public var outcome: CircuitBreakerMachine.Outcome { verdict.breakerOutcome }
}
