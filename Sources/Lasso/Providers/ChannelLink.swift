import Supervision

/// What an attempt on one channel needs besides its health, as of one publication of the
/// chain's board: how to reach it, and the breaker to ask for a half-open trial and to tell
/// the verdict. References, resolved when their owners publish, so an attempt looks nothing
/// up by name.
public struct ChannelLink: Sendable {
    /// `nil` when the channel cannot be reached now: a WebSocket that is not connected, or an
    /// HTTP URL that does not parse.
    public var route: UpstreamRoute?
    /// The channel's `CircuitBreaker` process, once it has started (it may have exited since:
    /// its successor publishes itself when it starts).
    public var breaker: ServerRef<CircuitBreaker>?

    /// A link with what is known of the channel.
    public init(route: UpstreamRoute? = nil, breaker: ServerRef<CircuitBreaker>? = nil) {
        self.route = route
        self.breaker = breaker
    }
}
