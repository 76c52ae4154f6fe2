/// A growable FIFO ring buffer: O(1) append and removal at the front.
///
/// Elements are moved, never copied: `popFirst` takes the element out of its slot and `grow`
/// takes each one into the new storage. A mailbox's element is an enum generic over its server,
/// whose copy and destroy go through the runtime's value witnesses; copying it in and destroying
/// the slot's copy was most of a drainer's work in the cast benchmark when the sender ran ahead
/// (measured with perf). The capacity is a power of two, so a slot is found with a mask.
/// An empty queue allocates nothing, which keeps an idle process small.
struct MessageQueue<Element> {
    private var storage: [Element?] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ element: consuming Element) {
        if count == storage.count { grow() }
        storage[(head &+ count) & (storage.count &- 1)] = consume element
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head].take()
        head = (head &+ 1) & (storage.count &- 1)
        count -= 1
        return element
    }

    /// Empties the queue, returning its elements in order.
    mutating func removeAll() -> [Element] {
        var elements: [Element] = []
        elements.reserveCapacity(count)
        while let element = popFirst() { elements.append(element) }
        head = 0
        return elements
    }

    private mutating func grow() {
        let capacity = max(4, storage.count * 2)
        var grown: [Element?] = []
        grown.reserveCapacity(capacity)
        for index in 0..<count { grown.append(storage[(head &+ index) & (storage.count &- 1)].take()) }
        grown.append(contentsOf: repeatElement(nil, count: capacity - count))
        storage = grown
        head = 0
    }
}
