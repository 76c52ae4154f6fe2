import Synchronization

/// A process's inbox: FIFO messages from any thread, handled one at a time by a single drainer.
///
/// An idle process holds no task. The send that finds the mailbox idle marks it `scheduled` and
/// tells the sender to start a drainer; until the drainer finds the mailbox empty (and clears
/// the mark under the same lock) no other drainer can start. That is what keeps a process
/// strictly one-message-at-a-time while costing only its objects when idle.
///
/// A stop request does not queue behind messages: like an exit signal in OTP it is seen as soon
/// as the running handler returns. Once closed, `send` refuses (the sender reports `noProcess`)
/// and the undelivered messages are handed back so pending calls get the exit reason.
final class Mailbox<Message: Sendable>: Sendable {
    /// What the drainer handles next.
    enum Delivery {
        case message(Message)
        case stop(ExitReason)
    }

    /// What a `send` did.
    enum SendOutcome {
        /// Closed: the process has exited.
        case rejected
        /// Queued behind a running drainer.
        case queued
        /// Queued into an idle mailbox: the sender must start a drainer.
        case queuedStartDrainer
    }

    private struct State {
        var queue = MessageQueue<Message>()
        var stopRequest: ExitReason?
        var scheduled: Bool
        var closed = false
        /// Closed by a kill: the drainer handles nothing more, not even the stop.
        var killed = false
    }

    private let state: Mutex<State>

    /// `scheduled` starts true when the creator runs the first drainer itself (to initialise).
    init(scheduled: Bool) {
        state = Mutex(State(scheduled: scheduled))
    }

    func send(_ message: Message) -> SendOutcome {
        state.withLock { state in
            if state.closed { return .rejected }
            state.queue.append(message)
            if state.scheduled { return .queued }
            state.scheduled = true
            return .queuedStartDrainer
        }
    }

    /// Records a stop request (the first wins). Returns `true` when the caller must start a
    /// drainer to carry it out.
    func requestStop(_ reason: ExitReason) -> Bool {
        state.withLock { state in
            guard state.stopRequest == nil else { return false }
            state.stopRequest = reason
            if state.scheduled { return false }
            state.scheduled = true
            return true
        }
    }

    /// For the drainer: the stop request first, else the oldest message; `nil` means the mailbox
    /// is empty and the drainer must end (it is no longer scheduled).
    func next() -> Delivery? {
        state.withLock { state in
            if state.killed { return nil }
            if let reason = state.stopRequest { return .stop(reason) }
            if let message = state.queue.popFirst() { return .message(message) }
            state.scheduled = false
            return nil
        }
    }

    /// `true` if a message or a stop is waiting (the drainer should keep going).
    var hasWork: Bool { state.withLock { $0.stopRequest != nil || !$0.queue.isEmpty } }

    /// For the starter, once `initialize` has run in its own task: keeps the mailbox scheduled
    /// and returns `true` if work arrived meanwhile (the caller starts a drainer); otherwise
    /// marks it idle.
    func finishInitialization() -> Bool {
        state.withLock { state in
            if state.stopRequest != nil || !state.queue.isEmpty { return true }
            state.scheduled = false
            return false
        }
    }

    /// Closes the mailbox for good and returns the messages never delivered.
    func close(reason: ExitReason) -> [Message] {
        state.withLock { state in
            state.closed = true
            if state.stopRequest == nil { state.stopRequest = reason }
            state.scheduled = true
            return state.queue.removeAll()
        }
    }

    /// Closes the mailbox for a kill and returns the messages never delivered. Unlike `close`,
    /// the drainer, if one runs, ends at its next look without handling anything more — no
    /// message, no stop (a kill runs no `terminate`) — and no drainer starts again.
    func kill() -> [Message] {
        state.withLock { state in
            state.closed = true
            state.killed = true
            if state.stopRequest == nil { state.stopRequest = .killed }
            state.scheduled = true
            return state.queue.removeAll()
        }
    }

    /// The stop requested so far, if any.
    var pendingStop: ExitReason? { state.withLock { $0.stopRequest } }

    /// Messages waiting to be handled.
    var depth: Int { state.withLock { $0.queue.count } }
}
