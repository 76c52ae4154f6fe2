/// The source of time and timers for a `Runtime`.
///
/// Every timing rule in Supervision (restart windows, backoff, call timeouts, shutdown timeouts,
/// `sendAfter`) reads time and schedules work only through this protocol, so a test can swap in
/// a `ManualClock` and advance time deterministically instead of sleeping.
public protocol RuntimeClock: Sendable {
    /// The current instant. Monotonic: never goes back.
    func now() -> RuntimeInstant

    /// Runs `action` once, at or after `deadline`, unless the returned handle is cancelled first.
    ///
    /// `action` runs on a thread of the clock's choosing and must not block: the runtime's own
    /// actions only enqueue a message or resume a continuation.
    @discardableResult
    func schedule(at deadline: RuntimeInstant, _ action: @escaping @Sendable () -> Void) -> TimerHandle
}

extension RuntimeClock {
    /// Runs `action` once after `delay`.
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> TimerHandle {
        schedule(at: now() + delay, action)
    }
}
