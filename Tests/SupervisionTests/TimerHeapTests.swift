import Synchronization
import Testing
@testable import Supervision

@Suite struct TimerHeapTests {
    /// Call timeouts are nearly always cancelled: they stay in the heap, counted, until more than
    /// half of it is cancelled, and the next insert drops them. What survives fires in order.
    @Test func cancelledTimersAreDroppedOnceTheyAreMostOfTheHeap() {
        var heap = TimerHeap()
        let fired = Mutex<[Int]>([])
        var handles: [TimerHandle] = []
        for index in 0..<3000 {
            let handle = TimerHandle({ fired.withLock { $0.append(index) } }, cancellations: heap.cancellations)
            heap.insert(handle, at: RuntimeInstant(nanoseconds: UInt64(3000 - index)))
            handles.append(handle)
        }
        for (index, handle) in handles.enumerated() where index % 6 != 0 { handle.cancel() }
        handles[1].cancel()  // twice: counted once
        #expect(heap.cancelledCount == 2500)
        #expect(heap.count == 3000)
        #expect(heap.pendingCount == 500)

        let last = TimerHandle({ fired.withLock { $0.append(-1) } }, cancellations: heap.cancellations)
        heap.insert(last, at: RuntimeInstant(nanoseconds: 0))
        #expect(heap.count == 501)
        #expect(heap.cancelledCount == 0)

        for handle in heap.popDue(at: RuntimeInstant(nanoseconds: 10_000)) { handle.fire() }
        let expected = [-1] + Array(stride(from: 2994, through: 0, by: -6))
        #expect(fired.withLock { $0 } == expected)
        #expect(heap.isEmpty)
    }

    @Test func theManualClockCountsOnlyTimersStillWaiting() {
        let clock = ManualClock()
        let early = clock.schedule(after: .seconds(1)) {}
        clock.schedule(after: .seconds(2)) {}
        #expect(clock.pendingTimers == 2)
        early.cancel()
        #expect(clock.pendingTimers == 1)
        clock.advance(by: .seconds(3))
        #expect(clock.pendingTimers == 0)
    }
}
