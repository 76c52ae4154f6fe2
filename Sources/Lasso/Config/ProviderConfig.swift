/// One upstream RPC provider of a chain (an entry of `chains.<name>.providers`).
///
/// `url` and `wsURL` may contain API keys: display them only through `URLRedaction.redact`, and
/// identify the provider by `id` everywhere else.
public struct ProviderConfig: Sendable, Equatable {
    /// Whether using a provider costs money; the `cheapest` strategy prefers `.public`.
    public enum Tier: String, Sendable, CaseIterable {
        /// Keyless or free.
        case `public`
        /// Metered or subscription.
        case paid
    }

    /// Unique within the chain; used in routes (`/rpc/provider/:id/:chain`), logs and metrics.
    public var id: String
    /// Display name. Default: the id.
    public var name: String
    /// Lower is preferred by the `priority` strategy. Default: position in the list, from 1.
    public var priority: Int
    /// Key `type`. Default `public`.
    public var tier: Tier
    /// HTTP(S) endpoint (required).
    public var url: String
    /// WebSocket endpoint; when set the provider also has a WS channel.
    public var wsURL: String?
    /// Keep-alive HTTP connections lassod should hold to this provider (key `pool_size`). Default
    /// 4. Read and validated, but not applied yet: the one `HTTPClient` keeps up to its own
    /// `connectionsPerUpstream` per upstream, whatever this says.
    public var poolSize: Int

    /// Creates a provider.
    public init(id: String, name: String? = nil, priority: Int = 1, tier: Tier = .public, url: String,
                wsURL: String? = nil, poolSize: Int = 4) {
        self.id = id
        self.name = name ?? id
        self.priority = priority
        self.tier = tier
        self.url = url
        self.wsURL = wsURL
        self.poolSize = poolSize
    }

    /// The channels this provider offers: HTTP always, WS when `wsURL` is set.
    public var transports: [TransportKind] { wsURL == nil ? [.http] : [.http, .ws] }

    static let keys = ["id", "name", "priority", "type", "url", "ws_url", "pool_size"]

    /// Nil when a required key is missing or invalid; the decoder holds the reason.
    init?(_ fields: ConfigFields, _ decoder: inout ConfigDecoder, position: Int) {
        _ = decoder.require(fields, "id")
        _ = decoder.require(fields, "url")
        var id = decoder.string(fields, "id")
        if let candidate = id, !ChainConfig.isRouteSafe(candidate) {
            decoder.report(fields.path("id"), "must contain only letters, digits, '_', '-' and '.'",
                           line: fields.values["id"]?.line)
            id = nil
        }
        let url = decoder.url(fields, "url", schemes: ["http", "https"], label: "an http(s)")
        let name = decoder.string(fields, "name")
        let priority = decoder.int(fields, "priority", in: 0...Int.max) ?? position
        let tiers = Tier.allCases.map(\.rawValue)
        let tier = decoder.choice(fields, "type", expected: tiers, Tier.init(rawValue:)) ?? .public
        let wsURL = decoder.url(fields, "ws_url", schemes: ["ws", "wss"], label: "a ws(s)")
        let poolSize = decoder.int(fields, "pool_size", in: 1...64) ?? 4
        guard let id, let url else { return nil }
        self.init(id: id, name: name, priority: priority, tier: tier, url: url, wsURL: wsURL, poolSize: poolSize)
    }
}
