import LassoTransport
import Supervision
import Synchronization

/// Hands finished attempts to their breakers and to the benchmark store in batches, not once
/// per request.
///
/// A message to a process wakes a thread of the cooperative pool; sent per request, two of
/// them competed with the loop thread for the CPU on every reply. Here attempts are queued in
/// the order they finished and delivered together — each breaker one cast with its verdicts in
/// that order, the store one cast with every sample:
/// - at the end of the loop turn when the queue holds a verdict that can change a breaker (a
///   provider fault, a rate limit, an abandoned trial, anything on a half-open trial ticket):
///   a breaker hears it as promptly as a cast of its own would reach it (a fifth failure still
///   opens it at once);
/// - otherwise within `quietDelay` (10 ms): successes on a closed breaker change nothing but
///   the failure count, and they are never reordered with the faults that follow them.
/// Nothing is dropped, so every count stays exact.
///
/// Replies that arrive off the loop (a provider's WebSocket, answered by its process) are
/// queued the same way and flushed by a loop command.
public final class BatchingAttemptRecorder: AttemptRecorder {
    private struct Pending {
        var attempts: [FinishedAttempt] = []
        /// A flush at the end of the current loop turn is on its way.
        var promptFlushScheduled = false
        /// A flush after `quietDelay` is on its way.
        var quietFlushScheduled = false
    }

    /// How long verdicts that change no breaker may wait to be delivered.
    public static let quietDelay: Duration = .milliseconds(10)

    private let pending = Mutex(Pending())
    private let loop: EventLoop
    private let benchmarks: BenchmarkStoreHandle

    /// - Parameter benchmarks: where the running `BenchmarkStore` has published itself. Breakers
    ///   need no lookup either: each attempt carries its breaker's reference.
    public init(loop: EventLoop, benchmarks: BenchmarkStoreHandle) {
        self.loop = loop
        self.benchmarks = benchmarks
    }

    public func record(_ attempt: FinishedAttempt) {
        let prompt = Self.mayChangeBreaker(attempt)
        let schedule = pending.withLock { pending -> (prompt: Bool, quiet: Bool) in
            pending.attempts.append(attempt)
            if prompt, !pending.promptFlushScheduled {
                pending.promptFlushScheduled = true
                return (true, false)
            }
            if !prompt, !pending.quietFlushScheduled, !pending.promptFlushScheduled {
                pending.quietFlushScheduled = true
                return (false, true)
            }
            return (false, false)
        }
        var scheduled = true
        if schedule.prompt { scheduled = loop.executeAfterTurn { [self] in flush() } }
        if schedule.quiet { scheduled = loop.execute(after: Self.quietDelay) { [self] in flush() } }
        if !scheduled { flush() }  // the loop has stopped: deliver now rather than lose them
    }

    /// Whether delivering `attempt` late could delay a breaker transition.
    static func mayChangeBreaker(_ attempt: FinishedAttempt) -> Bool {
        guard attempt.ticket == .regular else { return true }
        switch attempt.outcome {
        case .success, .neutral: return false
        case .providerFault, .rateLimited, .abandoned: return true
        }
    }

    /// Delivers everything queued: one cast per breaker, one to the store.
    func flush() {
        // Grouped by the breaker reference the attempts carry: its hash is a pid, no lookup.
        let attempts = pending.withLock { pending -> [FinishedAttempt] in
            pending.promptFlushScheduled = false
            pending.quietFlushScheduled = false
            var taken: [FinishedAttempt] = []
            swap(&taken, &pending.attempts)
            return taken
        }
        guard !attempts.isEmpty else { return }
        var verdicts: [ServerRef<CircuitBreaker>: [CircuitBreaker.Verdict]] = [:]
        var order: [ServerRef<CircuitBreaker>] = []
        var samples: [BenchmarkSample] = []
        for attempt in attempts {
            if let breaker = attempt.breaker {
                if verdicts[breaker] == nil { order.append(breaker) }
                verdicts[breaker, default: []].append(CircuitBreaker.Verdict(outcome: attempt.outcome, ticket: attempt.ticket))
            }
            if let sample = attempt.sample { samples.append(sample) }
        }
        for breaker in order {
            guard let batch = verdicts[breaker] else { continue }
            breaker.cast(.finishedAll(batch))
        }
        if !samples.isEmpty { benchmarks.current?.cast(.recordAll(samples)) }
    }
}
