import Synchronization

/// A process's inbox: FIFO messages from any thread, taken one at a time by the owning loop.
///
/// A stop request does not queue behind messages: like an exit signal in OTP it is seen by the
/// loop as soon as the handler it is running returns. Once closed, `send` refuses (the sender then
/// reports `noProcess`) and the undelivered messages are handed back so pending calls can be
/// answered with the exit reason.
final class Mailbox<Message: Sendable>: Sendable {
    /// What the owning loop receives next.
    enum Delivery {
        case message(Message)
        case stop(ExitReason)
    }

    private struct State {
        var queue = MessageQueue<Message>()
        var stopRequest: ExitReason?
        var waiter: UnsafeContinuation<Delivery, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Enqueues `message`; `false` when the mailbox is closed (the process has exited).
    func send(_ message: Message) -> Bool {
        let outcome: (accepted: Bool, waiter: UnsafeContinuation<Delivery, Never>?) = state.withLock { state in
            if state.closed { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.queue.append(message)
            return (true, nil)
        }
        outcome.waiter?.resume(returning: .message(message))
        return outcome.accepted
    }

    /// Asks the loop to stop with `reason` as soon as its current handler returns. First wins.
    func requestStop(_ reason: ExitReason) {
        let waiter: UnsafeContinuation<Delivery, Never>? = state.withLock { state in
            guard state.stopRequest == nil else { return nil }
            state.stopRequest = reason
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .stop(reason))
    }

    /// The next delivery for the owning loop; suspends while there is none.
    func receive() async -> Delivery {
        if let ready = takeReady() { return ready }
        return await withUnsafeContinuation { continuation in
            let ready: Delivery? = state.withLock { state in
                if let reason = state.stopRequest { return .stop(reason) }
                if let message = state.queue.popFirst() { return .message(message) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func takeReady() -> Delivery? {
        state.withLock { state in
            if let reason = state.stopRequest { return .stop(reason) }
            return state.queue.popFirst().map { .message($0) }
        }
    }

    /// Closes the mailbox and returns the messages that were never delivered. A loop waiting in
    /// `receive` is woken with a stop, and every later `receive` returns a stop at once, so an
    /// abandoned loop ends instead of waiting forever.
    func close(reason: ExitReason) -> [Message] {
        let (waiter, undelivered) = state.withLock { state in
            state.closed = true
            if state.stopRequest == nil { state.stopRequest = reason }
            defer { state.waiter = nil }
            return (state.waiter, state.queue.removeAll())
        }
        waiter?.resume(returning: .stop(reason))
        return undelivered
    }

    /// The stop requested so far, if any.
    var pendingStop: ExitReason? { state.withLock { $0.stopRequest } }

    /// Messages waiting to be handled.
    var depth: Int { state.withLock { $0.queue.count } }
}
