import Lasso

extension Battle {
    /// What a run measured and whether it kept its SLOs: written as report.json (this struct),
    /// report.md and latency.svg by the `Reporter`.
    public struct Report: Sendable, Codable, Equatable {
        public struct Latency: Sendable, Codable, Equatable {
            public var p50: Double
            public var p95: Double
            public var p99: Double
            public var max: Double
        }

        public struct ChainSummary: Sendable, Codable, Equatable {
            public var chain: String
            public var requests: Int
            public var succeeded: Int
            public var successRate: Double
            public var latency: Latency
        }

        public struct FaultSummary: Sendable, Codable, Equatable {
            public var atMs: Double
            public var endMs: Double
            public var description: String
            /// From the fault to the end of the last request it disturbed (see `Analyzer.recoveryMs`).
            public var recoveryMs: Double
        }

        public struct Verdict: Sendable, Codable, Equatable {
            public var slo: String
            public var passed: Bool
            /// What was measured, and for a failure why it fails.
            public var detail: String
        }

        /// How a rate-limited provider's Retry-After was honoured (see `Analyzer.rateLimitWindow`).
        public struct RateLimitWindow: Sendable, Codable, Equatable {
            public var provider: String
            public var retryAfterMs: Double
            /// When the provider started answering 429.
            public var switchedAtMs: Double
            /// When lassod's status first showed the provider cooling down; nil if it never did.
            public var knownAtMs: Double?
            /// The end of the Retry-After, counted from the switch (lassod's own cooldown ends later).
            public var endMs: Double
            /// Requests the provider received from `knownAtMs` (or the switch) to `endMs`, including
            /// any lassod sent before it knew.
            public var arrivals: Int
            /// Client requests started after lassod knew that still reached the provider before
            /// `endMs`: what the `retryAfterHonoured` SLO counts. 0 when lassod honours Retry-After.
            public var requestsDuringWindow: Int
        }

        /// Requests started in one slice of the run.
        public struct Bucket: Sendable, Codable, Equatable {
            public var startMs: Double
            public var requests: Int
            public var failures: Int
            public var p50: Double
            public var p95: Double
            public var max: Double
        }

        /// What a subscription stream delivered, right and wrong: one stream's (`StreamSummary`) or
        /// every stream's together (`StreamTotals`).
        public struct StreamCounts: Sendable, Codable, Equatable {
            /// Notifications received, all of them.
            public var received = 0
            /// Blocks (or logs) of the window never delivered.
            public var missing = 0
            /// Deliveries of a block (or log) already delivered.
            public var duplicates = 0
            /// Blocks (or logs) delivered after a later one.
            public var outOfOrder = 0
            /// Headers whose hash is not the chain's block, logs the filter's chain does not have.
            public var foreign = 0
            /// Headers whose `parentHash` is not the hash of the block delivered just before.
            public var brokenLinks = 0
            public var disconnects = 0

            /// Deliveries that break order or the chain, and dropped sockets: what the ordering SLO
            /// counts (a gap or a duplicate is the no-gap SLO's).
            public var disorder: Int { outOfOrder + foreign + brokenLinks + disconnects }
            public var intact: Bool { missing == 0 && duplicates == 0 && disorder == 0 }

            public static func + (left: Self, right: Self) -> Self {
                Self(received: left.received + right.received, missing: left.missing + right.missing,
                     duplicates: left.duplicates + right.duplicates, outOfOrder: left.outOfOrder + right.outOfOrder,
                     foreign: left.foreign + right.foreign, brokenLinks: left.brokenLinks + right.brokenLinks,
                     disconnects: left.disconnects + right.disconnects)
            }
        }

        /// One client's subscription stream, judged (see `Analyzer.stream`).
        public struct StreamSummary: Sendable, Codable, Equatable {
            public var chain: String
            public var client: Int
            public var kind: Observations.Stream.Kind
            /// The blocks the stream is judged on: from its first (for logs, the block after its
            /// first log: it subscribed mid-block) through the head every stream had to reach.
            public var from: UInt64?
            public var through: UInt64
            public var counts: StreamCounts
            /// The longest a header arrived after its block was made.
            public var maxDelayMs: Double?
            /// The first few problems, in words.
            public var problems: [String]

            public var intact: Bool { counts.intact }
        }

        /// One failover of a subscription key, from lassod's `subscription.failover.*` log lines.
        public struct SubscriptionFailover: Sendable, Codable, Equatable {
            public var atMs: Double
            public var chain: String
            public var key: String
            public var reason: String?
            public var from: String?
            public var to: String?
            /// lassod's `duration_ms`: from losing the upstream to the stream live again, gap filled.
            public var durationMs: Double?
            public var backfilled: Int?
            public var skipped: Int?
            public var completed: Bool
        }

        /// Every stream together.
        public struct StreamTotals: Sendable, Codable, Equatable {
            public var clients: Int
            public var streams: Int
            public var intactStreams: Int
            /// Every stream's counts added up, except `disconnects`: counted once per client socket.
            public var counts: StreamCounts
            /// Header delivery delay: arrival minus the time the block was made, first deliveries.
            public var delay: Latency
            public var failovers: Int
            public var failoversCompleted: Int
            public var failoverLatency: Latency
            public var backfilled: Int
            public var skipped: Int
        }

        /// Headers delivered in one slice of the run, and how late.
        public struct StreamBucket: Sendable, Codable, Equatable {
            public var startMs: Double
            public var headers: Int
            public var maxDelayMs: Double
        }

        public var scenario: String
        public var summary: String
        public var seed: UInt64
        public var durationMs: Double
        public var requests: Int
        public var succeeded: Int
        public var successRate: Double
        /// Client-measured: request sent → reply in.
        public var latency: Latency
        /// lassod's own time per request (its log's `end_to_end_latency_ms`: request read → answer
        /// written), all chains. The gap to `latency` is the loop around it: sockets, the load
        /// generator and the providers' threads waiting for a core.
        public var lassodLatency: Latency
        /// CPU time the process used during the load, and the machine's cores: `cpuSeconds /
        /// (durationMs / 1000)` near `cores` means the run was CPU-bound and every latency in it
        /// includes waiting for a core.
        public var cpuSeconds: Double
        public var cores: Int
        public var chains: [ChainSummary]
        /// Why requests failed, and how often.
        public var failures: [String: Int]
        /// Requests lassod answered after at least one failed attempt (its log's `retries` > 0).
        public var failovers: Int
        /// Requests per provider that answered them (its log's `selected_provider`).
        public var servedBy: [String: Int]
        public var faults: [FaultSummary]
        /// `supervisor/child` → restarts, from the supervision events.
        public var restarts: [String: Int]
        public var treeChecks: [Observations.TreeCheck]
        public var rateLimitWindows: [RateLimitWindow]
        public var timeline: [Bucket]
        public var verdicts: [Verdict]
        /// Per client and subscription; empty without subscribers.
        public var streams: [StreamSummary] = []
        public var streamTotals: StreamTotals?
        public var subscriptionFailovers: [SubscriptionFailover] = []
        public var streamTimeline: [StreamBucket] = []

        /// Whether every SLO was kept.
        public var passed: Bool { verdicts.allSatisfy(\.passed) }
        /// The SLOs broken, with why.
        public var failedVerdicts: [Verdict] { verdicts.filter { !$0.passed } }
    }
}
