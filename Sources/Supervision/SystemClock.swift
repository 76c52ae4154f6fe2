import Dispatch
import Foundation
import Synchronization

/// The production clock: monotonic time from the OS and one timer thread for every timer.
///
/// One dedicated thread sleeps on a condition until the earliest deadline, then runs the due
/// actions (which only enqueue messages). A heap plus one thread costs far less per timer than a
/// `DispatchSourceTimer` or a sleeping `Task` each, which matters because every `call` arms a
/// timeout.
public final class SystemClock: RuntimeClock, @unchecked Sendable {
    // @unchecked: `heap` is only touched while `condition` is locked.
    private let condition = NSCondition()
    private var heap = TimerHeap()
    private var threadStarted = false

    /// The process-wide clock.
    public static let shared = SystemClock()

    public init() {}

    public func now() -> RuntimeInstant {
        RuntimeInstant(nanoseconds: DispatchTime.now().uptimeNanoseconds)
    }

    @discardableResult
    public func schedule(at deadline: RuntimeInstant, _ action: @escaping @Sendable () -> Void) -> TimerHandle {
        condition.lock()
        let handle = TimerHandle(action, cancellations: heap.cancellations)
        let wasEarliest = heap.earliestDeadline.map { deadline < $0 } ?? true
        heap.insert(handle, at: deadline)
        if !threadStarted {
            threadStarted = true
            let thread = Thread { [weak self] in self?.runTimerLoop() }
            thread.name = "lasso-timers"
            thread.start()
        }
        if wasEarliest { condition.signal() }
        condition.unlock()
        return handle
    }

    private func runTimerLoop() {
        while true {
            condition.lock()
            var due: [TimerHandle] = []
            while due.isEmpty {
                let current = now()
                due = heap.popDue(at: current)
                if !due.isEmpty { break }
                if let deadline = heap.earliestDeadline {
                    let seconds = Double(deadline.nanoseconds - current.nanoseconds) / 1_000_000_000
                    _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                } else {
                    condition.wait()
                }
            }
            condition.unlock()
            for handle in due { handle.fire() }
        }
    }
}
