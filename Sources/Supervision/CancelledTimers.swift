import Synchronization

/// How many timers of a heap were cancelled and are still in it: counted by `TimerHandle.cancel`
/// from any thread without the clock's lock, read by the heap under it to decide when to compact.
///
/// A counter object rather than a closure over the clock: a handle must not keep its clock alive
/// (a clock's heap holds its handles), and forming a weak reference on every timer cost more
/// than the rest of arming it.
final class CancelledTimers: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }

    func decrement() { count.subtract(1, ordering: .relaxed) }

    /// The heap has just dropped every cancelled timer. Also forgets the cancels of timers that
    /// had already left the heap to fire, which would otherwise be counted for ever.
    func reset() { count.store(0, ordering: .relaxed) }

    /// Never negative, though a cancel racing a pop can make the raw count so briefly.
    var value: Int { max(0, count.load(ordering: .relaxed)) }
}
