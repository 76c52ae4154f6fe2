/// Where the pipeline reports each finished attempt. Recording never delays a reply: an
/// implementation hands attempts on to the breaker and benchmark processes asynchronously.
public protocol AttemptRecorder: Sendable {
    /// Called once per attempt that reached a channel, on the thread its reply arrived on.
    func record(_ attempt: FinishedAttempt)
}
