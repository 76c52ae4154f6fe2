import Synchronization

/// One call on its way: what it asks and the place where its answer lands.
///
/// The reply, the timeout and the server's exit race for the answer; the first resumes the
/// caller and the others are dropped, so a late reply can never resume a continuation twice.
final class ReplySlot<Request: CallRequest>: PendingCall {
    typealias Server = Request.Server
    typealias Reply = Request.Reply

    private struct State {
        var continuation: UnsafeContinuation<Result<Reply, CallError>, Never>?
        var timer: TimerHandle?
    }
    private let state: Mutex<State>
    private let request: Request

    init(_ request: Request, continuation: UnsafeContinuation<Result<Reply, CallError>, Never>) {
        state = Mutex(State(continuation: continuation))
        self.request = request
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

    func answer(_ server: inout Server, context: ServerContext<Server>) async throws {
        resolve(.success(try await request.handle(&server, context: context)))
    }

    func fail(_ error: CallError) {
        resolve(.failure(error))
    }

    /// Delivers `result` if nothing has been delivered yet.
    private func resolve(_ result: Result<Reply, CallError>) {
        let (continuation, timer) = state.withLock { state in
            defer { state.continuation = nil; state.timer = nil }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: result)
    }
}
