import CLassoShim
import CLibWebSockets
import Foundation

/// One-shot timers on the loop thread, multiplexed over a single libwebsockets `sul` entry.
///
/// A min-heap of deadlines drives one lws timer armed for the earliest one; cancelled timers
/// stay in the heap until they surface (lazy deletion), which keeps `cancel` O(1).
///
/// Threading: confined to the loop thread, like everything reachable from ``LoopCore``.
final class LoopTimers {
    /// Identifies a scheduled timer so it can be cancelled.
    struct ID: Hashable { let raw: UInt64 }

    private struct Entry { let deadline: UInt64; let id: UInt64 }

    private var heap: [Entry] = []
    private var actions: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1
    private var armedDeadline: UInt64?
    private let storage: UnsafeMutablePointer<lasso_timer_t>
    /// The loop these timers belong to, for the thread check. Unowned and unsafe because the
    /// core owns its timers (they die with it) and the check must cost nothing in release.
    private unowned(unsafe) let core: LoopCore

    /// `core` is handed back to `fire` when the lws timer expires.
    init(core: LoopCore, fire: @convention(c) (UnsafeMutableRawPointer?) -> Void) {
        self.core = core
        storage = UnsafeMutablePointer<lasso_timer_t>.allocate(capacity: 1)
        storage.initialize(to: lasso_timer_t())
        storage.pointee.owner = Unmanaged.passUnretained(core).toOpaque()
        storage.pointee.fire = fire
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    /// Number of live (not cancelled, not fired) timers.
    var count: Int {
        core.assertOnLoop()
        return actions.count
    }

    /// `duration` in the loop clock's unit, nanoseconds — the one place a transport `Duration`
    /// becomes a number the C clock compares with. Negative durations are zero; the rest is
    /// clamped to 10⁹ s, so a huge configured value cannot overflow a deadline.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, duration > .zero else { return 0 }
        guard seconds < 1_000_000_000 else { return 1_000_000_000 * 1_000_000_000 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// The time from `earlier` to `later`, two readings of `now()`; zero if `later` is earlier.
    static func duration(from earlier: UInt64, to later: UInt64) -> Duration {
        later > earlier ? .nanoseconds(Int64(clamping: later - earlier)) : .zero
    }

    /// Monotonic clock in nanoseconds (`CLOCK_MONOTONIC`); immune to wall-clock steps.
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Runs `action` on the loop thread once `delay` has passed, unless cancelled first.
    @discardableResult
    func schedule(in context: OpaquePointer, after delay: Duration, _ action: @escaping () -> Void) -> ID {
        core.assertOnLoop()
        let id = nextID
        nextID += 1
        let delay = Self.nanoseconds(delay)
        actions[id] = action
        push(Entry(deadline: Self.now() &+ delay, id: id))
        arm(context)
        return ID(raw: id)
    }

    /// Forgets a timer; its action will not run.
    func cancel(_ id: ID) {
        core.assertOnLoop()
        actions[id.raw] = nil
    }

    /// Called from the lws timer: runs every due action, then re-arms for the next deadline.
    func fire(_ context: OpaquePointer) {
        core.assertOnLoop()
        armedDeadline = nil
        let now = Self.now()
        while let first = heap.first, first.deadline <= now {
            popFirst()
            if let action = actions.removeValue(forKey: first.id) { action() }
        }
        arm(context)
    }

    /// Drops every timer without running it (the loop is going away).
    func removeAll() {
        core.assertOnLoop()
        lasso_timer_cancel(storage)
        heap.removeAll()
        actions.removeAll()
        armedDeadline = nil
    }

    private func arm(_ context: OpaquePointer) {
        while let first = heap.first, actions[first.id] == nil { popFirst() }
        guard let first = heap.first else {
            if armedDeadline != nil { lasso_timer_cancel(storage); armedDeadline = nil }
            return
        }
        if armedDeadline == first.deadline { return }
        armedDeadline = first.deadline
        let now = Self.now()
        let micros = first.deadline > now ? Int64((first.deadline - now) / 1000) : 0
        lasso_timer_schedule(context, storage, max(micros, 1))
    }

    private func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func popFirst() {
        guard !heap.isEmpty else { return }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
