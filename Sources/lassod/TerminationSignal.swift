import Dispatch
import Foundation
import Supervision
import Synchronization

/// What ends `lassod`'s wait: the first SIGINT/SIGTERM (`nil`), or the root supervisor exiting
/// on its own (its reason). A second signal while shutting down exits at once, so an operator
/// can always abort a stuck shutdown.
final class TerminationSignal: @unchecked Sendable {
    // @unchecked: `sources` is set once in `init` and never changed; dispatch sources are
    // thread-safe objects. They live as long as this object, which their handlers retain: the
    // life of the process.
    private let continuation: Mutex<CheckedContinuation<ExitReason?, Never>?>
    private let fired = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    /// Routes `signals` here instead of their default action, and watches `root`.
    init(_ continuation: CheckedContinuation<ExitReason?, Never>, signals: [Int32], root: ProcessRef) {
        self.continuation = Mutex(continuation)
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
        root.monitor { [self] reason in resume(reason) }
    }

    private func resume(_ reason: ExitReason?) {
        continuation.withLock { $0.take() }?.resume(returning: reason)
    }

    /// Suspends until a signal (`nil`) or the root's exit (its reason). `ready` runs once the
    /// signals are routed here: a banner printed from it tells the truth when it says Ctrl-C
    /// stops lassod cleanly (a SIGTERM sent on seeing it is never the default, fatal one).
    static func wait(root: ProcessRef, ready: () -> Void = {}) async -> ExitReason? {
        await withCheckedContinuation { continuation in
            _ = TerminationSignal(continuation, signals: [SIGINT, SIGTERM], root: root)
            ready()
        }
    }
}
