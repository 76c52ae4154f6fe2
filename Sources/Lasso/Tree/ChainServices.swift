import Supervision
import LassoTransport

/// What every chain's processes share with the rest of lassod: where to publish, where to find
/// each other, and how to reach upstreams.
public struct ChainServices: Sendable {
    public let directory: ChainDirectory
    public let breakers: BreakerDirectory
    public let names: ProcessNames
    public let sender: any UpstreamSender
    /// What the chain's breakers are built with; `applying(_:)` sets it from a config.
    public var breakerPolicy: CircuitBreakerPolicy
    /// The event loop upstream WebSockets run on.
    public let loop: EventLoop
    /// Where breaker transitions and availability changes are published.
    public let pubsub: PubSub
    /// Where each chain logs what its processes publish.
    public let logger: Logger
    /// Where subscription events reach client WebSockets.
    public let clientSockets: ClientSockets
    /// Every chain's client subscriptions and stream state, outliving the chains' processes.
    public let subscriptionTables: SubscriptionTables
    /// The `subscriptions:` section a chain is started with; `applying(_:)` sets it.
    public var subscriptions: SubscriptionsConfig
    /// What stream backfills are fetched through: the pipeline client requests take.
    public let pipeline: RequestPipeline
    /// Ids for lassod's own requests (backfills).
    let requestIDs = RequestIDGenerator()

    public init(directory: ChainDirectory, breakers: BreakerDirectory, names: ProcessNames, sender: any UpstreamSender,
                breakerPolicy: CircuitBreakerPolicy, loop: EventLoop, pubsub: PubSub, logger: Logger,
                pipeline: RequestPipeline, clientSockets: ClientSockets = ClientSockets(),
                subscriptionTables: SubscriptionTables = SubscriptionTables(),
                subscriptions: SubscriptionsConfig = SubscriptionsConfig()) {
        self.loop = loop
        self.clientSockets = clientSockets
        self.subscriptionTables = subscriptionTables
        self.subscriptions = subscriptions
        self.pipeline = pipeline
        self.directory = directory
        self.breakers = breakers
        self.names = names
        self.sender = sender
        self.breakerPolicy = breakerPolicy
        self.pubsub = pubsub
        self.logger = logger
    }

    /// These services as a chain started under `config` must see them: the breaker policy of its
    /// `circuit_breaker` section. A chain is built from the config current at its start, so a
    /// reload that changes the policy takes effect through the chains it restarts.
    public func applying(_ config: LassoConfig) -> ChainServices {
        var services = self
        services.breakerPolicy = CircuitBreakerPolicy(config.circuitBreaker)
        services.subscriptions = config.subscriptions
        return services
    }
}
