import Testing
@testable import Supervision

@Suite struct MessageQueueTests {
    final class Payload: Sendable {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test func keepsFIFOOrderAcrossWrapAroundAndGrowth() {
        var queue = MessageQueue<Int>()
        var expected: [Int] = []
        var popped: [Int] = []
        var next = 0
        // Uneven rounds of appends and pops make the head wrap around before each growth.
        for round in 1...40 {
            for _ in 0..<(round % 7 + 3) { queue.append(next); expected.append(next); next += 1 }
            for _ in 0..<(round % 5 + 1) { if let value = queue.popFirst() { popped.append(value) } }
        }
        #expect(queue.count == next - popped.count)
        popped += queue.removeAll()
        #expect(popped == expected)
        #expect(queue.isEmpty)
        #expect(queue.popFirst() == nil)
    }

    /// A popped message leaves no copy in the queue: a process that handled a message must not
    /// keep what it carried alive.
    @Test func aPoppedOrGrownElementIsNotKeptByTheQueue() {
        var queue = MessageQueue<Payload>()
        weak var first: Payload?
        do {
            let payload = Payload(0)
            first = payload
            queue.append(payload)
        }
        for value in 1...9 { queue.append(Payload(value)) }  // grows twice past the first slot
        #expect(first != nil)
        #expect(queue.popFirst()?.value == 0)
        #expect(first == nil)
        #expect(queue.removeAll().map(\.value) == Array(1...9))
    }
}
