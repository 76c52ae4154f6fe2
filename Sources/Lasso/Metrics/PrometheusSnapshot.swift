/// Everything `/metrics` shows, as plain values: the request counters from `RequestCounters`
/// and the live provider state the breakers and `ProviderPool` publish. Building one is the
/// caller's job (it knows where each piece lives); `PrometheusExposition` only formats it.
public struct PrometheusSnapshot: Sendable, Equatable {
    /// Requests, outcomes and latencies of one chain/provider/method/transport.
    public struct RequestSeries: Sendable, Equatable {
        /// Chain name.
        public var chain: String
        /// Provider id, or `RequestCounters.noProvider` when no provider was reached.
        public var provider: String
        /// JSON-RPC method, or `RequestCounters.overflowMethod` past the series cap.
        public var method: String
        /// Upstream transport.
        public var transport: TransportKind
        /// Requests that ended with a result.
        public var successes: UInt64
        /// Requests that ended with an error.
        public var errors: UInt64
        /// Per `RequestCounters.durationBuckets` bucket, then one overflow count: how many
        /// requests took at most that bucket's bound and more than the previous one
        /// (not cumulative; the exposition accumulates).
        public var bucketCounts: [UInt64]
        /// Sum of all durations, in nanoseconds.
        public var durationSumNanos: UInt64

        /// A series as given.
        public init(chain: String, provider: String, method: String, transport: TransportKind, successes: UInt64,
                    errors: UInt64, bucketCounts: [UInt64], durationSumNanos: UInt64) {
            self.chain = chain
            self.provider = provider
            self.method = method
            self.transport = transport
            self.successes = successes
            self.errors = errors
            self.bucketCounts = bucketCounts
            self.durationSumNanos = durationSumNanos
        }
    }

    /// Failed requests of one chain/provider/transport with one error category.
    public struct ErrorSeries: Sendable, Equatable {
        /// Chain name.
        public var chain: String
        /// Provider id, or `RequestCounters.noProvider`.
        public var provider: String
        /// Upstream transport.
        public var transport: TransportKind
        /// `RequestContext.ErrorDetail.category`.
        public var category: String
        /// Requests counted.
        public var count: UInt64

        /// A series as given.
        public init(chain: String, provider: String, transport: TransportKind, category: String, count: UInt64) {
            self.chain = chain
            self.provider = provider
            self.transport = transport
            self.category = category
            self.count = count
        }
    }

    /// One provider's health as `ProviderPool` sees it.
    public struct ProviderSeries: Sendable, Equatable {
        /// Chain name.
        public var chain: String
        /// Provider id.
        public var provider: String
        /// Whether the provider is available for routing.
        public var available: Bool
        /// Blocks behind the best known head; `nil` while its head is unknown (no sample written).
        public var lagBlocks: UInt64?

        /// A series as given.
        public init(chain: String, provider: String, available: Bool, lagBlocks: UInt64?) {
            self.chain = chain
            self.provider = provider
            self.available = available
            self.lagBlocks = lagBlocks
        }
    }

    /// The subscription streams of one chain and kind (`newHeads`, `logs`): never per filter,
    /// which would let clients make unbounded label values.
    public struct SubscriptionSeries: Sendable, Equatable {
        public var chain: String
        public var kind: String
        /// Keys followed now, and their confirmed clients.
        public var keys: Int
        public var clients: Int
        /// Since start, retired keys included.
        public var counters: StreamCounters

        public init(chain: String, kind: String, keys: Int, clients: Int, counters: StreamCounters) {
            self.chain = chain
            self.kind = kind
            self.keys = keys
            self.clients = clients
            self.counters = counters
        }
    }

    /// The client connections lassod holds, and how many it may.
    public struct ClientConnections: Sendable, Equatable {
        /// HTTP connections open now (keep-alive ones included).
        public var http: Int
        /// Client WebSockets open now (RPC and dashboard).
        public var webSockets: Int
        /// `server.max_connections`.
        public var limit: Int

        public init(http: Int, webSockets: Int, limit: Int) {
            self.http = http
            self.webSockets = webSockets
            self.limit = limit
        }
    }

    /// Request counters and latency histograms.
    public var requests: [RequestSeries]
    /// Error counters.
    public var errors: [ErrorSeries]
    /// Breaker phases, one per channel.
    public var breakers: [BreakerState]
    /// Provider availability and lag.
    public var providers: [ProviderSeries]
    /// The node's region: when set, every series carries it as its first label, `region`.
    public var region: String? = nil
    /// Subscription streams per chain and kind.
    public var subscriptions: [SubscriptionSeries] = []
    /// The listener's connections; nothing is written when nil.
    public var clientConnections: ClientConnections? = nil

    /// A snapshot as given; any part may be empty.
    public init(requests: [RequestSeries] = [], errors: [ErrorSeries] = [], breakers: [BreakerState] = [],
                providers: [ProviderSeries] = []) {
        self.requests = requests
        self.errors = errors
        self.breakers = breakers
        self.providers = providers
    }

    /// Adds `chain`'s breakers (one series per channel), availability and lag as routing sees
    /// them in `snapshot`: a provider is available when any of its channels' breakers admits
    /// traffic, and its lag is the best known head minus its head (absent while either is
    /// unknown). A caller with richer availability (probe results) can adjust the entries.
    public mutating func addProviderState(chain: String, from snapshot: ChainSnapshot) {
        for provider in snapshot.providers {
            var available = false
            for transport in TransportKind.allCases {
                guard let health = provider.health(of: transport) else { continue }
                breakers.append(BreakerState(chain: chain, provider: provider.id, transport: transport, phase: health.phase))
                available = available || health.phase.admitsTraffic
            }
            var lag: UInt64?
            if let best = snapshot.bestKnownHead, let head = provider.headBlock {
                lag = best > head ? best - head : 0
            }
            providers.append(ProviderSeries(chain: chain, provider: provider.id, available: available, lagBlocks: lag))
        }
    }
}
