import Lasso

extension Battle {
    /// Everything a run saw, in milliseconds since the load started: the raw material of the
    /// `Analyzer`, built by the `Collector` and the runner, or by hand in tests.
    public struct Observations: Sendable, Equatable {
        /// One client request as the workload saw it.
        public struct Sample: Sendable, Equatable {
            public var startMs: Double
            public var latencyMs: Double
            public var chain: String
            public var method: String
            /// Nil when the answer was right; otherwise why not (`timeout`, `wrong id`, `error -32603`, …).
            public var failure: String?
            /// The JSON-RPC id the client sent (what a provider sees, lassod forwarding it as is over HTTP).
            public var id: UInt64?

            public init(startMs: Double, latencyMs: Double, chain: String, method: String, failure: String? = nil,
                        id: UInt64? = nil) {
                self.startMs = startMs
                self.latencyMs = latencyMs
                self.chain = chain
                self.method = method
                self.failure = failure
                self.id = id
            }

            public var endMs: Double { startMs + latencyMs }
            public var succeeded: Bool { failure == nil }
        }

        /// One `rpc.request.completed` line of lassod's request log.
        public struct Routed: Sendable, Equatable {
            public var atMs: Double
            public var chain: String
            public var selectedProvider: String?
            public var retries: Int
            public var succeeded: Bool
            /// lassod's own time for the request (`timing.end_to_end_latency_ms`): from reading it
            /// to writing the answer.
            public var endToEndMs: Double?

            public init(atMs: Double, chain: String, selectedProvider: String?, retries: Int, succeeded: Bool,
                        endToEndMs: Double? = nil) {
                self.atMs = atMs
                self.chain = chain
                self.selectedProvider = selectedProvider
                self.retries = retries
                self.succeeded = succeeded
                self.endToEndMs = endToEndMs
            }
        }

        /// One `supervision.<kind>` line of lassod's log.
        public struct Supervision: Sendable, Equatable {
            public var atMs: Double
            public var kind: String
            public var supervisor: String
            public var child: String?

            public init(atMs: Double, kind: String, supervisor: String, child: String?) {
                self.atMs = atMs
                self.kind = kind
                self.supervisor = supervisor
                self.child = child
            }
        }

        /// One injected fault, from injection to restore (or the end of the run).
        public struct Fault: Sendable, Equatable {
            public var atMs: Double
            public var endMs: Double
            public var description: String
            public var chain: String?
            /// The provider it acted on, for provider faults.
            public var provider: String?

            public init(atMs: Double, endMs: Double, description: String, chain: String? = nil, provider: String? = nil) {
                self.atMs = atMs
                self.endMs = endMs
                self.description = description
                self.chain = chain
                self.provider = provider
            }
        }

        /// After a tree-node kill: how long until the tree was whole again (nil: not within the deadline).
        public struct TreeCheck: Sendable, Equatable, Codable {
            public var atMs: Double
            public var path: String
            public var wholeAfterMs: Double?

            public init(atMs: Double, path: String, wholeAfterMs: Double?) {
                self.atMs = atMs
                self.path = path
                self.wholeAfterMs = wholeAfterMs
            }
        }

        /// One stretch of a provider answering 429 + `Retry-After`, as the chaos driver saw it:
        /// when it switched the provider, when lassod first showed the provider cooling down
        /// (its status), and every request the provider received until the Retry-After, counted
        /// from the switch, ran out. lassod's own cooldown starts when the first 429 reaches it,
        /// after the switch, so it covers the whole window.
        public struct RateLimitWindow: Sendable, Equatable {
            /// One request the provider received: when, and its id as sent.
            public struct Arrival: Sendable, Equatable {
                public var atMs: Double
                public var id: String

                public init(atMs: Double, id: String) {
                    self.atMs = atMs
                    self.id = id
                }
            }

            public var provider: String
            public var retryAfterMs: Double
            public var switchedAtMs: Double
            /// When lassod's status first showed the provider cooling down; nil if it never did.
            public var knownAtMs: Double?
            /// `switchedAtMs + retryAfterMs`.
            public var endMs: Double { switchedAtMs + retryAfterMs }
            public var arrivals: [Arrival]

            public init(provider: String, retryAfterMs: Double, switchedAtMs: Double, knownAtMs: Double?,
                        arrivals: [Arrival]) {
                self.provider = provider
                self.retryAfterMs = retryAfterMs
                self.switchedAtMs = switchedAtMs
                self.knownAtMs = knownAtMs
                self.arrivals = arrivals
            }
        }

        /// One notification a WebSocket client received: a header (`newHeads`) or a log.
        public struct StreamEvent: Sendable, Equatable {
            public var atMs: Double
            public var block: UInt64
            /// The header's hash, or the log's `blockHash`.
            public var hash: String
            /// A header's `parentHash`.
            public var parentHash: String?
            /// A log's `logIndex`.
            public var logIndex: UInt64?

            public init(atMs: Double, block: UInt64, hash: String, parentHash: String? = nil, logIndex: UInt64? = nil) {
                self.atMs = atMs
                self.block = block
                self.hash = hash
                self.parentHash = parentHash
                self.logIndex = logIndex
            }
        }

        /// What one client received on one subscription, in arrival order.
        public struct Stream: Sendable, Equatable {
            public enum Kind: String, Sendable, Codable, Equatable {
                case newHeads
                case logs
            }

            public var chain: String
            public var client: Int
            public var kind: Kind
            public var events: [StreamEvent]
            /// Times lassod's socket to this client dropped (each one loses the subscriptions).
            public var disconnects: Int

            public init(chain: String, client: Int, kind: Kind, events: [StreamEvent], disconnects: Int = 0) {
                self.chain = chain
                self.client = client
                self.kind = kind
                self.events = events
                self.disconnects = disconnects
            }
        }

        /// What the simulated chain made during the run, for the blocks the streams are judged
        /// on: every block's hash and production time, and the logs each subscription's filter
        /// matches. `through` is the last block every stream must have reached.
        public struct ChainTruth: Sendable, Equatable {
            public var blockHashes: [UInt64: String]
            /// When each block was made, in ms since the load started (negative before it).
            public var producedAtMs: [UInt64: Double]
            /// The matching logs of each block, as log indices in order, for `logs` streams.
            public var logs: [UInt64: [UInt64]]
            public var through: UInt64

            public init(blockHashes: [UInt64: String], producedAtMs: [UInt64: Double] = [:], logs: [UInt64: [UInt64]] = [:],
                        through: UInt64) {
                self.blockHashes = blockHashes
                self.producedAtMs = producedAtMs
                self.logs = logs
                self.through = through
            }
        }

        /// One `subscription.*` line of lassod's log (failover started or completed, a backfill,
        /// a skipped gap).
        public struct SubscriptionEvent: Sendable, Equatable {
            public var atMs: Double
            /// `failover.started`, `failover.completed`, `backfill`, `gap_skipped`, …
            public var kind: String
            public var chain: String
            /// `newHeads` or `logs`.
            public var key: String
            public var reason: String?
            /// The provider a failover left and the one it went to.
            public var fromProvider: String?
            public var toProvider: String?
            public var durationMs: Double?
            /// Blocks a backfill fetched or a skip gave up (`count`), or a completed failover backfilled.
            public var count: Int?
            public var skipped: Int?

            public init(atMs: Double, kind: String, chain: String, key: String, reason: String? = nil,
                        fromProvider: String? = nil, toProvider: String? = nil, durationMs: Double? = nil,
                        count: Int? = nil, skipped: Int? = nil) {
                self.atMs = atMs
                self.kind = kind
                self.chain = chain
                self.key = key
                self.reason = reason
                self.fromProvider = fromProvider
                self.toProvider = toProvider
                self.durationMs = durationMs
                self.count = count
                self.skipped = skipped
            }
        }

        public var durationMs: Double
        /// CPU time the whole process (lassod, providers, load generator) used during the load.
        public var cpuSeconds: Double = 0
        public var samples: [Sample] = []
        public var routed: [Routed] = []
        public var supervision: [Supervision] = []
        public var faults: [Fault] = []
        public var treeChecks: [TreeCheck] = []
        public var rateLimitWindows: [RateLimitWindow] = []
        public var streams: [Stream] = []
        /// Per chain, what its streams are judged against.
        public var truth: [String: ChainTruth] = [:]
        public var subscriptionEvents: [SubscriptionEvent] = []

        public init(durationMs: Double) {
            self.durationMs = durationMs
        }
    }
}
