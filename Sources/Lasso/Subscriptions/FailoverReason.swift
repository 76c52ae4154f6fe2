/// Why a subscription stream left its upstream (`subscription.failover.started`, the
/// `reason` label of `lasso_subscription_failovers_total`).
public enum FailoverReason: String, Sendable {
    /// The provider's WebSocket closed or failed.
    case socketClosed = "socket_closed"
    /// The provider's `WSConnection` process exited (crashed, killed, restarted).
    case connectionRestarted = "connection_restarted"
    /// The provider sent an error for the live subscription.
    case subscriptionError = "subscription_error"
    /// The provider kept its socket open but stopped sending while the chain moved on.
    case stalled
    /// `UpstreamSubscriptionPool` restarted: every upstream subscription is made anew.
    case poolRestarted = "pool_restarted"
    /// The key's `StreamCoordinator` restarted (or the chain did) and resumes from the table.
    case resumed
    /// The upstream skipped blocks while connected.
    case gap
}
