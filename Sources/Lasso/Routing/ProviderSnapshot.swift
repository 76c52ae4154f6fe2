/// One provider as `Selection` sees it: configuration plus the live state its processes
/// published (breaker phases, cooldowns, head block, methods it refused).
public struct ProviderSnapshot: Equatable, Sendable {
    /// The configured `id`.
    public var id: String
    /// The configured `priority`; lower is preferred.
    public var priority: Int
    /// `type: public` in the config: keyless and free, preferred by `cheapest`.
    public var isPublic: Bool
    /// The HTTP channel's breaker and cooldown.
    public var http: ChannelHealth
    /// The WebSocket channel's breaker and cooldown; `nil` when the provider has no `ws_url`.
    public var ws: ChannelHealth?
    /// The latest block the health monitor saw from this provider; `nil` when unknown.
    public var headBlock: UInt64?
    /// Methods this provider answered with "method not supported"; skipped for those methods.
    public var unsupportedMethods: Set<String>

    /// A provider snapshot; every live field defaults to healthy and unknown.
    public init(
        id: String,
        priority: Int,
        isPublic: Bool = false,
        http: ChannelHealth = .healthy,
        ws: ChannelHealth? = nil,
        headBlock: UInt64? = nil,
        unsupportedMethods: Set<String> = []
    ) {
        self.id = id
        self.priority = priority
        self.isPublic = isPublic
        self.http = http
        self.ws = ws
        self.headBlock = headBlock
        self.unsupportedMethods = unsupportedMethods
    }

    /// The health of this provider's `transport` channel, or `nil` if it has none.
    public func health(of transport: TransportKind) -> ChannelHealth? {
        switch transport {
        case .http: http
        case .ws: ws
        }
    }
}
