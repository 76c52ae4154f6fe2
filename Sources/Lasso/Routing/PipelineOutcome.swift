/// What the pipeline did with one request: the reply and the trail that logs, metrics and the
/// client-visible metadata are made from.
public struct PipelineOutcome: Sendable {
    /// One upstream attempt.
    public struct Attempt: Sendable, Equatable {
        public var channel: Channel
        /// `ErrorClassification.label`: `ok`, `rate_limited`, `caller.*`, `provider.*`, or
        /// `breaker.rejected` when a half-open breaker refused the trial.
        public var verdict: String
        public var latency: Duration
    }

    /// The JSON-RPC response to send; `nil` for a notification.
    public var body: [UInt8]?
    /// The ordered candidates selection produced.
    public var candidates: [Channel]
    public var attempts: [Attempt]
    /// The channel whose answer was returned.
    public var selected: Channel?
    /// Set when the reply is an error lassod produced or an upstream error returned as is.
    public var errorCode: Int?
    /// `ok` when a result was returned, else the label of what went wrong.
    public var status: String
    /// Latency of the attempt whose answer was returned.
    public var upstreamLatency: Duration?
    public var totalLatency: Duration
    /// The filled-in observability record: log it, count it, show it to the client if asked.
    public var context: RequestContext

    /// Failovers before the answer: attempts beyond the first.
    public var retries: Int { max(0, attempts.count - 1) }
}
