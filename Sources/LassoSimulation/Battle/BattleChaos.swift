import Lasso

extension Battle {
    /// One fault, injected once at `atMs` (from the start of the load) or every `everyMs` after it.
    public struct Chaos: Sendable, Equatable {
        /// Which simulated provider a fault acts on.
        public enum Target: Sendable, Equatable, CustomStringConvertible {
            case provider(String)
            /// The chain's provider with the lowest normal latency.
            case fastest(chain: String)
            /// The provider lassod routes most of the chain's requests to at the time: the one that
            /// answered most of them in the last `Chaos.rotationWindowMs`, by its request log (in
            /// the last second when none did, the fastest when none did then either). Unlike
            /// `fastest`, it follows lassod after a failover.
            case serving(chain: String)
            /// The provider carrying the chain's `newHeads` subscription at the time (its
            /// `subscriptions` status, as `lassod ctl status` shows it); the fastest when none.
            case subscribed(chain: String)

            public var description: String {
                switch self {
                case .provider(let id): id
                case .fastest(let chain): "fastest of \(chain)"
                case .serving(let chain): "provider serving \(chain)"
                case .subscribed(let chain): "provider carrying \(chain)'s subscriptions"
                }
            }
        }

        public enum Action: Sendable, Equatable {
            /// The provider's process dies: open connections dropped without a goodbye, new ones
            /// refused; back to its normal behaviour after `restoreAfterMs` (never when nil).
            case kill(Target, restoreAfterMs: Int?)
            /// A kill of `downMs` that first waits for the provider to be back in rotation (it
            /// answered one of its chain's requests in the last `Chaos.rotationWindowMs`), for at
            /// most one period: a kill that met a provider lassod had not taken back yet would test
            /// nothing. The run's load is stretched by the wait, as for a fault the host fired late.
            case flap(Target, downMs: Int)
            /// The provider misbehaves: `behaviors` in turn, each for `stepMs`, until restored.
            case degrade(Target, behaviors: [SimulatedProviderBehavior], stepMs: Int, restoreAfterMs: Int?)
            /// An operator opens the breaker of one provider's channel (`lassod ctl breaker … open`).
            case openBreaker(chain: String, provider: String, transport: TransportKind)
            /// An operator restarts a chain (`lassod ctl restart-chain`).
            case restartChain(String)
            /// A tree node is killed (`lassod ctl kill PATH`).
            case killNode(path: String)
            /// A node drawn (seeded) from the tree below `under` (not `under` itself) is killed.
            case killRandomNode(under: String)
        }

        public var action: Action
        public var atMs: Int
        public var everyMs: Int?

        public init(_ action: Action, at atMs: Int, every everyMs: Int? = nil) {
            self.action = action
            self.atMs = atMs
            self.everyMs = everyMs
        }

        public static func kill(_ target: Target, at: Int, every: Int? = nil, restoreAfter: Int? = nil) -> Chaos {
            Chaos(.kill(target, restoreAfterMs: restoreAfter), at: at, every: every)
        }

        /// Kill and restore in turn: down for `downMs`, every `everyMs`, each kill once the
        /// provider is back in rotation (see `Action.flap`).
        public static func flap(_ target: Target, at: Int, every: Int, down: Int) -> Chaos {
            Chaos(.flap(target, downMs: down), at: at, every: every)
        }

        /// How recently a provider must have answered a request to count as in rotation (a flap's
        /// wait) or as serving (`Target.serving`).
        static let rotationWindowMs = 200.0

        public static func degrade(_ target: Target, _ behaviors: [SimulatedProviderBehavior], stepMs: Int = 500,
                                   at: Int, every: Int? = nil, restoreAfter: Int? = nil) -> Chaos {
            Chaos(.degrade(target, behaviors: behaviors, stepMs: stepMs, restoreAfterMs: restoreAfter), at: at, every: every)
        }

        /// When each injection happens within a run of `durationMs`.
        public func instants(durationMs: Int) -> [Int] {
            guard atMs < durationMs else { return [] }
            guard let everyMs, everyMs > 0 else { return [atMs] }
            return Array(stride(from: atMs, to: durationMs, by: everyMs))
        }
    }
}
