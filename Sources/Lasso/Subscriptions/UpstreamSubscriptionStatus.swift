/// One upstream subscription as `UpstreamSubscriptionPool` holds it, for status and tests.
public struct UpstreamSubscriptionStatus: Sendable, Equatable {
    /// What it follows.
    public var key: SubscriptionKey
    /// The provider it is on (or being placed on); nil while no provider can take it.
    public var provider: String?
    /// The provider's subscription id once confirmed.
    public var upstreamID: String?
    /// Client subscriptions sharing it.
    public var clients: Int
}
