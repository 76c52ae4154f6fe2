/// A min-heap of timers ordered by deadline, then by scheduling order (so equal deadlines fire
/// first-in first-out). Not thread-safe: the clocks guard it with their own lock.
///
/// Cancelled timers stay in the heap until they reach the top or until more than half of the
/// heap is cancelled, at which point the next insert rebuilds it. That keeps cancel O(1), and
/// free of the clock's lock, for the common case of call timeouts that are almost always
/// cancelled: handles count their cancellation in `cancellations`.
struct TimerHeap {
    private struct Entry {
        var deadline: RuntimeInstant
        var sequence: UInt64
        var handle: TimerHandle

        func firesBefore(_ other: Entry) -> Bool {
            deadline == other.deadline ? sequence < other.sequence : deadline < other.deadline
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0
    /// Given to the handles of this heap.
    let cancellations = CancelledTimers()

    /// Cancelled timers still in the heap.
    var cancelledCount: Int { cancellations.value }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliestDeadline: RuntimeInstant? { entries.first?.deadline }

    mutating func insert(_ handle: TimerHandle, at deadline: RuntimeInstant) {
        compactIfMostlyCancelled()
        entries.append(Entry(deadline: deadline, sequence: nextSequence, handle: handle))
        nextSequence &+= 1
        siftUp(entries.count - 1)
    }

    /// Timers in the heap that have been neither cancelled nor fired (O(n): for tests).
    var pendingCount: Int { entries.count { $0.handle.isPending } }

    /// Whether a timer that has not been cancelled is due at or before `limit`.
    func hasPending(dueBy limit: RuntimeInstant) -> Bool {
        entries.contains { $0.deadline <= limit && $0.handle.isPending }
    }

    /// Removes and returns the handles whose deadline is at or before `now`, in firing order.
    mutating func popDue(at now: RuntimeInstant) -> [TimerHandle] {
        var due: [TimerHandle] = []
        while let first = entries.first, first.deadline <= now {
            let entry = removeFirst()
            if entry.handle.isPending { due.append(entry.handle) } else { cancellations.decrement() }
        }
        return due
    }

    private mutating func compactIfMostlyCancelled() {
        let cancelled = cancellations.value
        guard cancelled > 1024, cancelled * 2 > entries.count else { return }
        entries.removeAll { !$0.handle.isPending }
        cancellations.reset()
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func removeFirst() -> Entry {
        let first = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return first
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].firesBefore(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            let right = left + 1
            if right < entries.count, entries[right].firesBefore(entries[left]) { smallest = right }
            guard entries[smallest].firesBefore(entries[parent]) else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
