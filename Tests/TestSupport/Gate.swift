import Synchronization

/// A latch that tasks wait on until a test opens it; deliberately deaf to cancellation, to play
/// something stuck (a handler, an upstream holding its replies).
public final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    public init() {}

    public var isOpen: Bool { state.withLock { $0.open } }

    public func wait() async {
        await withUnsafeContinuation { continuation in
            let open = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every waiter, present and future, through.
    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
