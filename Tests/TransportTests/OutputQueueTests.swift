import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
@Suite("Output queue")
struct OutputQueueTests {
    @Test func aQueueThatNeverEmptiesRetainsOnlyWhatIsUnsent() {
        var queue = OutputQueue()
        for index in 0..<3 { queue.append(Array("first \(index)".utf8)) }
        var sent: [String] = []
        var mostRetained = 0
        // A peer that reads exactly as fast as chunks arrive: the queue never drains.
        for index in 0..<10_000 {
            queue.append(Array("message \(index)".utf8))
            let first = queue.withRegions(limit: 1) { regions in String(decoding: regions[0], as: UTF8.self) }
            queue.consume(first.utf8.count)
            sent.append(first)
            mostRetained = max(mostRetained, queue.retainedChunks)
        }
        #expect(mostRetained <= 2 * 4 + 32 + 1)
        #expect(sent.prefix(4) == ["first 0", "first 1", "first 2", "message 0"])
        #expect(sent.last == "message 9996", "in order, none lost")
        #expect(queue.count == ["message 9997", "message 9998", "message 9999"].map(\.utf8.count).reduce(0, +))
    }

    @Test func partialConsumptionKeepsTheRestInOrder() {
        var queue = OutputQueue()
        queue.append(Array("abc".utf8))
        queue.append(Array("de".utf8))
        queue.consume(2)
        #expect(queue.count == 3)
        let rest = queue.withRegions(limit: 16) { regions in regions.map { String(decoding: $0, as: UTF8.self) } }
        #expect(rest == ["c", "de"])
        queue.consume(3)
        #expect(queue.isEmpty && queue.retainedChunks == 0)
        queue.append(Array("x".utf8))
        queue.removeAll()
        #expect(queue.isEmpty && queue.count == 0 && queue.retainedChunks == 0)
    }
}
}
