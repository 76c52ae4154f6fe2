/// How `Selection` orders a chain's candidate channels for a request.
///
/// The raw values are the spellings accepted in `config/chains.yml` (`selection.default_strategy`);
/// `pathSegment` is the spelling used in `POST /rpc/:strategy/:chain`.
public enum SelectionStrategy: String, Sendable, CaseIterable, Codable {
    /// Highest score from measured latency and success rate, per chain/provider/method/transport.
    case fastest
    /// Public (keyless, free) providers first.
    case cheapest
    /// By the configured `priority`, lowest number first.
    case priority
    /// Rotates over the healthy providers.
    case roundRobin = "round_robin"

    /// The URL spelling (`round-robin`); the others are spelled as in the config.
    public var pathSegment: String { self == .roundRobin ? "round-robin" : rawValue }

    /// Parses either spelling: the config's (`round_robin`) or the URL's (`round-robin`).
    public init?(name: String) {
        if let strategy = SelectionStrategy(rawValue: name) { self = strategy; return }
        if name == "round-robin" { self = .roundRobin; return }
        return nil
    }
}
