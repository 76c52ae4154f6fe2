/// What `UpstreamSubscriptionPool` tells the `StreamCoordinator` that follows a key about the
/// key's upstream subscription. Each placement has a `generation`; events carry it too, so a
/// coordinator can tell a new upstream's first event from the old one's last.
public enum UpstreamNotice: Sendable {
    /// The key is subscribed on `provider`; its events now come with `generation`.
    case placed(provider: String, generation: UInt64)
    /// The upstream of `generation` on `provider` is gone; the pool is placing a new one.
    case lost(provider: String, generation: UInt64, reason: FailoverReason)
    /// No provider took the key: clients still waiting for their answer get this error.
    case refused(code: Int, message: String)
}
