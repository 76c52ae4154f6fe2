import Dispatch
import Foundation
import Supervision
import Synchronization

/// What ends `lassod`'s wait: the first SIGINT/SIGTERM (`nil`), or the root supervisor exiting
/// on its own (its reason). A second signal while shutting down exits at once, so an operator
/// can always abort a stuck shutdown.
///
/// Installed before the tree starts, so a signal that arrives while lassod is still starting
/// (after its `lassod.started` line, before the admin socket is up, say) is never the default,
/// fatal action: it is kept, and `wait` returns at once, for a clean stop.
final class TerminationSignal: @unchecked Sendable {
    // @unchecked: `sources` is set once in `init` and never changed; dispatch sources are
    // thread-safe objects. They live as long as this object, which their handlers retain: the
    // life of the process.
    private struct State {
        var continuation: CheckedContinuation<ExitReason?, Never>?
        /// What ended the wait before anyone waited: `.some(nil)` for a signal.
        var early: ExitReason??
    }

    private let state = Mutex(State())
    private let fired = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    /// Routes `signals` here instead of their default action, from now on.
    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if fired.exchange(true, ordering: .relaxed) {
                    FileHandle.standardError.write(Data("lassod: second signal, exiting now\n".utf8))
                    exit(130)
                }
                resume(nil)
            }
            source.resume()
            return source
        }
    }

    private func resume(_ reason: ExitReason?) {
        let waiting = state.withLock { state -> CheckedContinuation<ExitReason?, Never>? in
            guard let continuation = state.continuation.take() else {
                if state.early == nil { state.early = .some(reason) }
                return nil
            }
            return continuation
        }
        waiting?.resume(returning: reason)
    }

    /// Suspends until a signal (`nil`) or the root's exit (its reason); returns at once when a
    /// signal came earlier. `ready` runs once the wait is set up: a banner printed from it is
    /// never followed by a signal's default action.
    func wait(root: ProcessRef, ready: () -> Void = {}) async -> ExitReason? {
        root.monitor { [self] reason in resume(reason) }
        return await withCheckedContinuation { continuation in
            let early = state.withLock { state -> ExitReason?? in
                if let early = state.early { return early }
                state.continuation = continuation
                return nil
            }
            ready()
            if let early { continuation.resume(returning: early) }
        }
    }
}
