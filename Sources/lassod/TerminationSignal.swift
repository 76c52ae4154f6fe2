import Dispatch
import Foundation
import Synchronization

/// Resumes the waiting `main` once, on the first of the watched signals; later ones are ignored.
final class TerminationSignal: @unchecked Sendable {
    // @unchecked: `sources` is set once in `init` and never changed; dispatch sources are
    // thread-safe objects. They live as long as this object, which their handlers retain: the
    // life of the process.
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>
    private var sources: [any DispatchSourceSignal] = []

    /// Routes `signals` here instead of their default action (termination).
    init(_ continuation: CheckedContinuation<Void, Never>, signals: [Int32]) {
        self.continuation = Mutex(continuation)
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in fire() }
            source.resume()
            return source
        }
    }

    private func fire() {
        continuation.withLock { $0.take() }?.resume()
    }
}
