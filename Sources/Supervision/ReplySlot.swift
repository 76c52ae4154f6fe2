import Synchronization

/// Where one `call`'s answer lands. The reply, the timeout and the server's exit race for it;
/// the first resumes the caller and the others are dropped, so a late reply can never resume a
/// continuation twice.
final class ReplySlot<Reply: Sendable>: Sendable {
    private struct State {
        var continuation: UnsafeContinuation<Result<Reply, CallError>, Never>?
        var timer: TimerHandle?
    }
    private let state: Mutex<State>

    init(_ continuation: UnsafeContinuation<Result<Reply, CallError>, Never>) {
        state = Mutex(State(continuation: continuation))
    }

    /// Attaches the timeout timer so a reply can cancel it; cancels at once if already answered.
    func attach(timer: TimerHandle) {
        let answered = state.withLock { state -> Bool in
            if state.continuation == nil { return true }
            state.timer = timer
            return false
        }
        if answered { timer.cancel() }
    }

    /// Delivers `result` if nothing has been delivered yet.
    func resolve(_ result: Result<Reply, CallError>) {
        let (continuation, timer) = state.withLock { state in
            defer { state.continuation = nil; state.timer = nil }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: result)
    }
}
