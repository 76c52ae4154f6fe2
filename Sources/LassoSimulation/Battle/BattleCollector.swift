import Foundation
import Lasso
import Synchronization

extension Battle {
    /// lassod's log sink during a battle: reads each line as it arrives (`LogLine`) and keeps only
    /// what the analysis needs from the request log lines, supervision and subscription events, stamped with
    /// the time they arrived — a few dozen bytes per request instead of the ~600-byte line, so a
    /// long run's memory grows slowly. Other lines are dropped. The request hot path calls
    /// `write`: parsing is allocation-light and the lock is held only to append.
    public final class Collector: LogSink {
        private struct Seen {
            var routed: [Observations.Routed] = []
            var supervision: [Observations.Supervision] = []
            var subscription: [Observations.SubscriptionEvent] = []
        }

        private let seen = Mutex(Seen())
        private let origin = Mutex<ContinuousClock.Instant>(ContinuousClock.now)

        public init() {}

        /// Time zero for the stamps: the start of the load.
        public func markStart(_ instant: ContinuousClock.Instant) {
            origin.withLock { $0 = instant }
        }

        /// Milliseconds since the start.
        public func elapsedMs(_ instant: ContinuousClock.Instant = .now) -> Double {
            let duration = instant - origin.withLock { $0 }
            return Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
        }

        public func write(_ line: [UInt8]) {
            switch LogLine.parse(line, atMs: elapsedMs()) {
            case .routed(let routed)?: seen.withLock { $0.routed.append(routed) }
            case .supervision(let event)?: seen.withLock { $0.supervision.append(event) }
            case .subscription(let event)?: seen.withLock { $0.subscription.append(event) }
            case nil: break
            }
        }

        public func flush() {}

        /// The request log lines (`rpc.request.completed`) and supervision events seen so far.
        public func parsed() -> (routed: [Observations.Routed], supervision: [Observations.Supervision]) {
            seen.withLock { ($0.routed, $0.supervision) }
        }

        /// The `subscription.*` events seen so far (failovers, backfills, skipped gaps).
        public func subscriptionEvents() -> [Observations.SubscriptionEvent] {
            seen.withLock { $0.subscription }
        }

        /// Whether `provider` answered one of `chain`'s requests completed since `sinceMs`.
        public func answered(chain: String, provider: String, sinceMs: Double) -> Bool {
            answerCounts(chain: chain, sinceMs: sinceMs, succeededOnly: true)[provider] != nil
        }

        /// The provider that answered most of `chain`'s requests completed since `sinceMs`: the one
        /// lassod is routing to now. Nil when none completed.
        public func busiestProvider(chain: String, sinceMs: Double) -> String? {
            answerCounts(chain: chain, sinceMs: sinceMs, succeededOnly: false)
                .max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
        }

        /// How many of `chain`'s requests completed since `sinceMs` each provider answered (only
        /// the successful ones with `succeededOnly`). Reads the newest lines only.
        private func answerCounts(chain: String, sinceMs: Double, succeededOnly: Bool) -> [String: Int] {
            var counts: [String: Int] = [:]
            seen.withLock { seen in
                for routed in seen.routed.reversed() {
                    guard routed.atMs >= sinceMs else { break }
                    guard routed.chain == chain, !succeededOnly || routed.succeeded,
                          let provider = routed.selectedProvider else { continue }
                    counts[provider, default: 0] += 1
                }
            }
            return counts
        }
    }
}
