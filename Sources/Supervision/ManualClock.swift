import Synchronization

/// A clock that moves only when told to: the test double for every timing rule.
///
/// `advance(by:)` moves time forward and runs, on the caller's thread and in deadline order,
/// every timer that has come due (including timers scheduled by those actions, if they fall
/// within the new time). A timer scheduled at a deadline already passed fires at once, on the
/// scheduling thread, as it would on the system clock. Nothing else fires on its own, so tests
/// need no sleeps.
public final class ManualClock: RuntimeClock, Sendable {
    private struct State {
        var now: RuntimeInstant
        var heap = TimerHeap()
        var watchers: [(limit: Duration, continuation: UnsafeContinuation<Void, Never>)] = []

        /// Takes the watchers satisfied by the timers now pending.
        mutating func takeSatisfiedWatchers() -> [UnsafeContinuation<Void, Never>] {
            var satisfied: [UnsafeContinuation<Void, Never>] = []
            watchers.removeAll { watcher in
                guard heap.hasPending(dueBy: now + watcher.limit) else { return false }
                satisfied.append(watcher.continuation)
                return true
            }
            return satisfied
        }
    }
    private let state: Mutex<State>

    public init(start: RuntimeInstant = RuntimeInstant(nanoseconds: 1_000_000_000)) {
        state = Mutex(State(now: start))
    }

    public func now() -> RuntimeInstant { state.withLock { $0.now } }

    @discardableResult
    public func schedule(at deadline: RuntimeInstant, _ action: @escaping @Sendable () -> Void) -> TimerHandle {
        let (handle, due, satisfied) = state.withLock { state -> (TimerHandle, Bool, [UnsafeContinuation<Void, Never>]) in
            let handle = TimerHandle(action, cancellations: state.heap.cancellations)
            // Like the system clock, a deadline already passed fires at once.
            if deadline <= state.now { return (handle, true, []) }
            state.heap.insert(handle, at: deadline)
            return (handle, false, state.takeSatisfiedWatchers())
        }
        if due { handle.fire() }
        for watcher in satisfied { watcher.resume() }
        return handle
    }

    /// Moves time forward by `duration` and fires the timers that came due, in order.
    public func advance(by duration: Duration) {
        let target = state.withLock { $0.now + duration }
        while true {
            let due: [TimerHandle] = state.withLock { state in
                guard let deadline = state.heap.earliestDeadline, deadline <= target else { return [] }
                state.now = max(state.now, deadline)
                return state.heap.popDue(at: deadline)
            }
            if due.isEmpty {
                let exhausted = state.withLock { state in
                    state.heap.earliestDeadline.map { $0 > target } ?? true
                }
                if exhausted { break } else { continue }
            }
            for handle in due { handle.fire() }
        }
        state.withLock { $0.now = max($0.now, target) }
    }

    /// Suspends until a timer due within `limit` of now is pending: how a test knows that a
    /// process has armed the timeout it is about to advance past, without sleeping.
    public func waitForTimer(dueWithin limit: Duration) async {
        await withUnsafeContinuation { continuation in
            let ready = state.withLock { state in
                if state.heap.hasPending(dueBy: state.now + limit) { return true }
                state.watchers.append((limit, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Timers still waiting to fire (cancelled ones excluded).
    public var pendingTimers: Int { state.withLock { $0.heap.pendingCount } }
}
