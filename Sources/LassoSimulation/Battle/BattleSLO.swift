import Lasso

extension Battle {
    /// A promise a run is judged by; `Analyzer.verdicts` says whether it was kept and why not.
    public enum SLO: Sendable, Equatable, CustomStringConvertible {
        /// The share of requests answered correctly (on `chain` only, when given).
        case successRate(atLeast: Double, chain: String? = nil)
        /// p95 of client-measured latency at most `ms`.
        case p95(atMostMs: Double)
        /// p95 at most `ms` above the slowest normal latency of the chain's providers: what lassod
        /// itself may add, failovers included.
        case p95AboveSimulated(atMostMs: Double, chain: String)
        case p99(atMostMs: Double)
        /// Every fault recovered (see `Analyzer`) within `ms`.
        case recovery(atMostMs: Double)
        /// After every tree-node kill, the tree whole again (every node back, running) within `ms`.
        case treeWhole(withinMs: Double)
        /// At most `maxRequests` client requests reach a rate-limited provider after lassod knew of
        /// its Retry-After and before it ran out (see `Analyzer.rateLimitWindow`).
        case retryAfterHonoured(maxRequests: Int)
        /// At least `count` requests were sent (a run that sent nothing proves nothing).
        case minimumRequests(Int)
        /// At most `count` blocks or logs missing from any subscriber's streams, summed over
        /// every client (see `Analyzer.stream`).
        case streamGaps(atMost: Int)
        /// At most `count` blocks or logs delivered twice, summed over every client.
        case streamDuplicates(atMost: Int)
        /// Every subscriber's blocks in order, each the chain's own and its parent the block
        /// before; every log the chain's, in order; no client's socket dropped.
        case streamsInOrder
        /// p99 of lassod's `subscription.failover.completed` durations of `key` (`newHeads`,
        /// `logs`; nil: every key) at most `ms`; fails when none completed, or one started and
        /// never completed. A failover completes with the new upstream's first event: for a
        /// filtered logs key that is the next matching log, which may be blocks away, so its
        /// duration is not a recovery time; `newHeads` has an event every block.
        case failoverP99(atMostMs: Double, key: String? = "newHeads")

        public var description: String {
            switch self {
            case .successRate(let rate, let chain): "success rate ≥ \(rate)" + (chain.map { " on \($0)" } ?? "")
            case .p95(let ms): "p95 ≤ \(ms) ms"
            case .p95AboveSimulated(let ms, let chain): "p95 ≤ slowest simulated latency of \(chain) + \(ms) ms"
            case .p99(let ms): "p99 ≤ \(ms) ms"
            case .recovery(let ms): "every fault recovered within \(ms) ms"
            case .treeWhole(let ms): "tree whole within \(ms) ms of every kill"
            case .retryAfterHonoured(let count): "≤ \(count) client requests to a rate-limited provider during Retry-After"
            case .minimumRequests(let count): "≥ \(count) requests"
            case .streamGaps(let count): "≤ \(count) blocks or logs missing from subscribers' streams"
            case .streamDuplicates(let count): "≤ \(count) blocks or logs delivered twice"
            case .streamsInOrder: "every stream in order, parent-linked, the chain's own; no socket dropped"
            case .failoverP99(let ms, let key): "subscription failover p99 ≤ \(ms) ms" + (key.map { " (\($0))" } ?? "")
            }
        }
    }
}
