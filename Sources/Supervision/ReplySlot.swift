import Synchronization

/// One call on its way: what it asks and the place where its answer lands.
///
/// The reply, the timeout and the server's exit race for the answer; the first claims the slot
/// and resumes the caller, the others find it claimed and are dropped, so a late reply can never
/// resume a continuation twice.
///
/// The mutable parts are of types that do not depend on the call's types (a flag, the timer):
/// the server reaches this class through `PendingCall`, an existential, so these methods run
/// unspecialised, and every generic type they touched was looked up in the runtime's metadata
/// cache on each call (measured with perf: a tenth of a call's round trip).
final class ReplySlot<Request: CallRequest>: PendingCall {
    typealias Server = Request.Server
    typealias Reply = Request.Reply

    private let continuation: UnsafeContinuation<Result<Reply, CallError>, Never>
    private let claimed = Atomic<Bool>(false)
    private let timer = Mutex<TimerHandle?>(nil)
    private let request: Request

    init(_ request: Request, continuation: UnsafeContinuation<Result<Reply, CallError>, Never>) {
        self.continuation = continuation
        self.request = request
    }

    /// Attaches the timeout timer so a reply can cancel it; cancels at once if already answered.
    func attach(timer handle: TimerHandle) {
        let answered = timer.withLock { slot -> Bool in
            if claimed.load(ordering: .acquiring) { return true }
            slot = handle
            return false
        }
        if answered { handle.cancel() }
    }

    func answer(_ server: inout Server, context: ServerContext<Server>) async throws {
        resolve(.success(try await request.handle(&server, context: context)))
    }

    func fail(_ error: CallError) {
        resolve(.failure(error))
    }

    /// Delivers `result` if nothing has been delivered yet.
    private func resolve(_ result: Result<Reply, CallError>) {
        guard !claimed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // `attach` looks at `claimed` under this lock, so the timer is either here now or will be
        // cancelled by `attach` itself.
        timer.withLock { $0.take() }?.cancel()
        continuation.resume(returning: result)
    }
}
