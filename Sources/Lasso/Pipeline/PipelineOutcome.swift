/// What the pipeline did with one request: the reply, and the observability record that logs,
/// metrics and the client-visible metadata are made from.
public struct PipelineOutcome: Sendable {
    /// The JSON-RPC response to send; `nil` for a notification.
    public var body: [UInt8]?
    /// The filled-in record: selection, each attempt's channel, the result or error and its
    /// category, latencies.
    public var context: RequestContext
}
