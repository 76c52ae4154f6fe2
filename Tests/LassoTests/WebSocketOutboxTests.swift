import Testing
@testable import Lasso

@Suite struct WebSocketOutboxTests {
    @Test func aQueueThatNeverEmptiesRetainsOnlyWhatIsUnsent() throws {
        var outbox = WebSocketOutbox()
        for index in 0..<3 { outbox.append(.text("first \(index)")) }
        var sent: [String] = []
        var mostRetained = 0
        // A peer that reads exactly as fast as messages arrive: the queue never drains.
        for index in 0..<10_000 {
            outbox.append(.text("message \(index)"))
            let message = outbox.popFirst()
            sent.append(try #require(message).text)
            mostRetained = max(mostRetained, outbox.retainedSlots)
            #expect(outbox.count == 3)
        }
        #expect(mostRetained <= 2 * 3 + WebSocketOutbox.compactionThreshold + 1)
        #expect(sent.prefix(4) == ["first 0", "first 1", "first 2", "message 0"])
        #expect(sent.last == "message 9996", "in order, none lost")
        #expect(outbox.queuedBytes == ["message 9997", "message 9998", "message 9999"].map(\.utf8.count).reduce(0, +))
    }

    @Test func bytesCountWhatIsUnsentAndRemoveAllForgetsIt() {
        var outbox = WebSocketOutbox()
        outbox.append(.text("abc"))
        outbox.append(.text("de"))
        #expect(outbox.queuedBytes == 5)
        #expect(outbox.popFirst()?.text == "abc")
        #expect(outbox.queuedBytes == 2 && !outbox.isEmpty)
        outbox.removeAll()
        #expect(outbox.isEmpty && outbox.queuedBytes == 0 && outbox.retainedSlots == 0)
        #expect(outbox.popFirst() == nil)
    }
}
