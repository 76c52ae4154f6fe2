/// The messages a WebSocket connection still has to send, oldest first, and their size.
///
/// Memory follows what is unsent, not what was ever sent: a sent message's bytes are released
/// as it leaves, and the slots of sent messages are compacted away once they are more than 32
/// and more than half the storage. So a peer that reads just fast enough to keep the queue from
/// ever emptying holds at most `2 × unsent + 32` slots, never the connection's whole history.
///
/// ```swift
/// var outbox = WebSocketOutbox()
/// outbox.append(.text("a"))
/// outbox.queuedBytes        // 1
/// outbox.popFirst()?.text   // "a"
/// ```
/// Threading: a value owned by one connection, used on the loop thread.
struct WebSocketOutbox {
    private var messages: [WebSocketMessage] = []
    private var head = 0
    /// Payload bytes not sent yet.
    private(set) var queuedBytes = 0

    /// Slots sent messages may leave behind before compaction is considered.
    static let compactionThreshold = 32

    var isEmpty: Bool { head == messages.count }

    /// Messages not sent yet.
    var count: Int { messages.count - head }

    /// Slots held in storage, sent or not: what the compaction bounds.
    var retainedSlots: Int { messages.count }

    mutating func append(_ message: WebSocketMessage) {
        messages.append(message)
        queuedBytes += message.bytes.count
    }

    /// Takes the oldest unsent message.
    mutating func popFirst() -> WebSocketMessage? {
        guard head < messages.count else { return nil }
        let message = messages[head]
        messages[head].bytes = []
        head += 1
        queuedBytes -= message.bytes.count
        if head == messages.count {
            messages.removeAll(keepingCapacity: true)
            head = 0
        } else if head > Self.compactionThreshold, head * 2 > messages.count {
            messages.removeFirst(head)
            head = 0
        }
        return message
    }

    /// Forgets every unsent message.
    mutating func removeAll() {
        messages.removeAll()
        head = 0
        queuedBytes = 0
    }
}
