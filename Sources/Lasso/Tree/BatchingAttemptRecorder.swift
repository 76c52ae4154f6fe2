import LassoTransport
import Synchronization

/// Hands finished attempts to their breakers and to the benchmark store once per event-loop
/// turn, not once per request.
///
/// A message to a process wakes a thread of the cooperative pool; sent per request, two of
/// them competed with the loop thread for the CPU on every reply. Here attempts are queued in
/// the order they finished, and at the end of the loop turn each breaker gets one cast with its
/// verdicts in that order and the store one cast with every sample. Nothing is dropped or
/// reordered per breaker, so every count stays exact; a breaker hears a verdict within the same
/// turn it would have been cast in before (a fifth failure still opens it at once).
///
/// Replies that arrive off the loop (a provider's WebSocket, answered by its process) are
/// queued the same way and flushed by a loop command.
public final class BatchingAttemptRecorder: AttemptRecorder {
    private struct Pending {
        var attempts: [FinishedAttempt] = []
        var flushScheduled = false
    }

    private let pending = Mutex(Pending())
    private let loop: EventLoop
    private let breakers: BreakerDirectory
    private let names: ProcessNames

    public init(loop: EventLoop, breakers: BreakerDirectory, names: ProcessNames) {
        self.loop = loop
        self.breakers = breakers
        self.names = names
    }

    public func record(_ attempt: FinishedAttempt) {
        let schedule = pending.withLock { pending -> Bool in
            pending.attempts.append(attempt)
            guard !pending.flushScheduled else { return false }
            pending.flushScheduled = true
            return true
        }
        if schedule, !loop.executeAfterTurn({ [self] in flush() }) {
            flush()  // the loop has stopped: deliver now rather than lose them
        }
    }

    /// Delivers everything queued: one cast per breaker, one to the store.
    func flush() {
        let attempts = pending.withLock { pending -> [FinishedAttempt] in
            pending.flushScheduled = false
            var taken: [FinishedAttempt] = []
            swap(&taken, &pending.attempts)
            return taken
        }
        guard !attempts.isEmpty else { return }
        var verdicts: [BreakerDirectory.Key: [CircuitBreaker.Verdict]] = [:]
        var order: [BreakerDirectory.Key] = []
        var samples: [BenchmarkSample] = []
        for attempt in attempts {
            let key = BreakerDirectory.Key(chain: attempt.chain, channel: attempt.channel)
            if verdicts[key] == nil { order.append(key) }
            verdicts[key, default: []].append(CircuitBreaker.Verdict(outcome: attempt.outcome, ticket: attempt.ticket))
            if let sample = attempt.sample { samples.append(sample) }
        }
        for key in order {
            guard let batch = verdicts[key] else { continue }
            breakers.breaker(chain: key.chain, channel: key.channel)?.cast(.finishedAll(batch))
        }
        if !samples.isEmpty { names.benchmarkStore?.cast(.recordAll(samples)) }
    }
}
