import Synchronization

/// A scheduled timer. Firing and cancelling race safely: whichever comes first wins, once.
public final class TimerHandle: Sendable {
    // The action is dropped when the timer fires or is cancelled, so a handle kept in the state
    // of the process its action messages does not keep that process alive.
    private let state: Mutex<(@Sendable () -> Void)?>
    private let cancellations: CancelledTimers?

    init(_ action: @escaping @Sendable () -> Void, cancellations: CancelledTimers? = nil) {
        state = Mutex(action)
        self.cancellations = cancellations
    }

    /// Prevents the action from running if it has not run yet. Idempotent.
    public func cancel() {
        let wasPending = state.withLock { action -> Bool in
            defer { action = nil }
            return action != nil
        }
        if wasPending { cancellations?.increment() }
    }

    /// `true` until the timer fires or is cancelled.
    public var isPending: Bool { state.withLock { $0 != nil } }

    /// Runs the action if it is still pending; called by the clock when the deadline passes.
    func fire() {
        let action = state.withLock { action -> (@Sendable () -> Void)? in
            defer { action = nil }
            return action
        }
        action?()
    }
}
