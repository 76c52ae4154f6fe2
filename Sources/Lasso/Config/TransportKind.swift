/// The two ways lassod reaches a provider. A provider with a `ws_url` has one channel of each.
public enum TransportKind: String, Sendable, CaseIterable, Codable {
    case http
    case ws
}
