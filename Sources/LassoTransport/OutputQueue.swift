/// Bytes a socket still has to write, oldest first, as the chunks they were handed over in.
///
/// A chunk is released as soon as its last byte leaves, so memory follows what is unsent.
///
/// ```swift
/// var queue = OutputQueue()
/// queue.append([1, 2, 3])
/// queue.consume(2)
/// let unsent = queue.count   // 1: [3] is left
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
/// Threading: a value owned by one socket, used on its loop thread.
struct OutputQueue {
    private var chunks: [[UInt8]] = []
    private var head = 0
    /// Bytes of `chunks[head]` already written.
    private var offset = 0
    /// Bytes not written yet.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Chunks held in storage, sent or not: what the compaction bounds.
    var retainedChunks: Int { chunks.count }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        chunks.append(bytes)
        count += bytes.count
    }

    /// Calls `body` with the first one or two unsent regions (the second nil when there is
    /// only one): the common case of a response head and body, without building an array.
    func withFirstTwoRegions<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> R) -> R {
        chunks[head].withUnsafeBytes { first in
            let firstRegion = UnsafeRawBufferPointer(rebasing: first[offset...])
            guard head + 1 < chunks.count else { return body(firstRegion, nil) }
            return chunks[head + 1].withUnsafeBytes { second in body(firstRegion, second) }
        }
    }

    /// Unsent chunks (the first possibly partly sent).
    var chunkCount: Int { chunks.count - head }

    /// Calls `body` with up to `limit` unsent regions, oldest first, and returns its result.
    func withRegions<R>(limit: Int, _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        var regions: [UnsafeRawBufferPointer] = []
        regions.reserveCapacity(min(limit, chunks.count - head))
        return collect(index: head, limit: limit, regions: &regions, body)
    }

    /// Walks the chunks recursively so that every region's pointer stays valid while `body` runs.
    private func collect<R>(index: Int, limit: Int, regions: inout [UnsafeRawBufferPointer],
                            _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        guard index < chunks.count, regions.count < limit else { return body(regions) }
        return chunks[index].withUnsafeBytes { bytes in
            let skip = index == head ? offset : 0
            regions.append(UnsafeRawBufferPointer(rebasing: bytes[skip...]))
            return collect(index: index + 1, limit: limit, regions: &regions, body)
        }
    }

    /// Marks `written` bytes as sent.
    mutating func consume(_ written: Int) {
        var remaining = written
        count -= written
        while remaining > 0, head < chunks.count {
            let available = chunks[head].count - offset
            if remaining < available {
                offset += remaining
                return
            }
            remaining -= available
            chunks[head] = []
            head += 1
            offset = 0
        }
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.count <= 16)
            head = 0
        } else if head > 32, head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    /// Forgets every unsent byte.
    mutating func removeAll() {
        chunks.removeAll()
        head = 0
        offset = 0
        count = 0
    }
}
