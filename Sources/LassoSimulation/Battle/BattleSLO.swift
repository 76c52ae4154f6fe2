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
            }
        }
    }
}
