import Glibc

/// A growable byte buffer for one socket direction, owned by one thread: bytes are written at
/// the tail (by `recv` or `append`) and consumed from the head.
///
/// Why not `[UInt8]`: the benchmark's servers and load client must not allocate per request,
/// and `recv` wants a raw pointer to the free tail. Storage is allocated once per connection
/// and only grows (doubling) when one message does not fit; consumed space is reclaimed by
/// moving the unread bytes to the front when the tail runs short.
final class IOBuffer {
    private var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var head = 0
    private var tail = 0

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The bytes written and not yet consumed. Valid until the next mutation.
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage + head, count: tail - head) }
    var readableCount: Int { tail - head }
    var isEmpty: Bool { head == tail }

    /// The free tail, after making room for at least `minimum` bytes. Valid until the next mutation.
    func writable(minimum: Int) -> UnsafeMutableRawBufferPointer {
        reserve(minimum)
        return UnsafeMutableRawBufferPointer(start: storage + tail, count: capacity - tail)
    }

    /// Marks `count` bytes of the tail returned by `writable` as written.
    func commit(_ count: Int) { tail += count }

    /// Drops `count` bytes from the head; an emptied buffer starts over at offset 0 so the
    /// common case (whole messages in, whole messages out) never moves bytes.
    func consume(_ count: Int) {
        head += count
        if head == tail { head = 0; tail = 0 }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + tail).copyMemory(from: base, byteCount: bytes.count)
        tail += bytes.count
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// Appends `value` (≥ 0) in decimal without building a String.
    func append(decimal value: Int) {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        reserve(digits)
        var remaining = max(0, value)
        for index in stride(from: digits - 1, through: 0, by: -1) {
            (storage + tail + index).storeBytes(of: UInt8(ascii: "0") + UInt8(remaining % 10), as: UInt8.self)
            remaining /= 10
        }
        tail += digits
    }

    /// Makes the tail at least `minimum` bytes long: first by sliding unread bytes to the front,
    /// then by doubling the storage.
    private func reserve(_ minimum: Int) {
        guard capacity - tail < minimum else { return }
        if head > 0 {
            let unread = tail - head
            storage.copyMemory(from: storage + head, byteCount: unread)
            head = 0
            tail = unread
            guard capacity - tail < minimum else { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - tail < minimum { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: storage, byteCount: tail)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }
}
