/// What one attempt on one channel means for the rest of lassod: the verdict its breaker must
/// hear, and — when the verdict says something about the provider's speed — a latency sample
/// for the benchmark store.
public struct FinishedAttempt: Sendable {
    public var chain: String
    public var channel: Channel
    public var outcome: CircuitBreakerMachine.Outcome
    public var ticket: CircuitBreakerMachine.Ticket
    public var sample: BenchmarkSample?

    public init(chain: String, channel: Channel, outcome: CircuitBreakerMachine.Outcome,
                ticket: CircuitBreakerMachine.Ticket, sample: BenchmarkSample?) {
        self.chain = chain
        self.channel = channel
        self.outcome = outcome
        self.ticket = ticket
        self.sample = sample
    }
}
