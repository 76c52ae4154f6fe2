import Glibc
import Dispatch
import Synchronization

/// The daemon's log sink: lines are appended to an in-memory buffer under a lock and written
/// to a file descriptor (stdout by default) in large chunks.
///
/// Why buffered rather than one `write(2)` per line: the hot path runs on the libwebsockets
/// service thread, and a `write` there costs a system call per request and blocks the whole
/// event loop whenever the reader of stdout (a terminal, journald, a container runtime) is
/// slow. Here the request thread only copies its line into the buffer (a lock and a
/// `memcpy`, well under a microsecond); writing happens on a private serial queue:
/// - every `flushInterval` (100 ms by default), so a quiet daemon's lines still appear promptly;
/// - as soon as the buffer passes `highWaterBytes` (64 KiB), so a busy one writes large chunks;
/// - on `flush()`, synchronously, which the daemon calls at shutdown.
///
/// Guarantees: lines are whole and in the order `write` was called (the buffer only ever
/// holds whole lines, and chunks are written one at a time under `writeLock`). If the reader
/// stalls and the buffer reaches `maxBufferedBytes` (8 MiB), further lines are dropped and
/// counted in `droppedLines` rather than stalling request handling.
public final class StandardOutputSink: LogSink {
    private struct Buffer {
        var bytes: [UInt8] = []
        /// The previously written chunk, emptied with its capacity kept: swapped in at the next
        /// flush so a busy sink reuses two buffers instead of allocating (and page-faulting) a
        /// fresh one per chunk.
        var spare: [UInt8] = []
        var droppedLines: UInt64 = 0
        var flushScheduled = false
    }

    private let fileDescriptor: Int32
    private let highWaterBytes: Int
    private let maxBufferedBytes: Int
    private let flushInterval: DispatchTimeInterval
    private let buffer = Mutex(Buffer())
    /// Held while a chunk is taken from the buffer and written, so chunks never reorder.
    private let writeLock = Mutex(())
    private let queue = DispatchQueue(label: "lassod.log-sink")

    /// A sink writing to `fileDescriptor` (1, standard output, by default).
    public init(fileDescriptor: Int32 = 1, flushIntervalMilliseconds: Int = 100,
                highWaterBytes: Int = 64 * 1_024, maxBufferedBytes: Int = 8 * 1_024 * 1_024) {
        self.fileDescriptor = fileDescriptor
        self.highWaterBytes = max(1, highWaterBytes)
        self.maxBufferedBytes = max(self.highWaterBytes, maxBufferedBytes)
        flushInterval = .milliseconds(max(1, flushIntervalMilliseconds))
        scheduleTimer()
    }

    /// Lines dropped because the buffer was full.
    public var droppedLines: UInt64 { buffer.withLock { $0.droppedLines } }

    /// Buffers `line`; never blocks on I/O.
    public func write(_ line: [UInt8]) {
        let kick = buffer.withLock { state -> Bool in
            guard state.bytes.count + line.count <= maxBufferedBytes else {
                state.droppedLines &+= 1
                return false
            }
            state.bytes.append(contentsOf: line)
            guard state.bytes.count >= highWaterBytes, !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
        if kick { queue.async { [self] in flush() } }
    }

    /// Writes everything buffered so far, then returns.
    public func flush() {
        writeLock.withLock { _ in
            var chunk = buffer.withLock { state -> [UInt8] in
                state.flushScheduled = false
                guard !state.bytes.isEmpty else { return [] }
                var taken = state.spare
                state.spare = []
                swap(&taken, &state.bytes)
                return taken
            }
            guard !chunk.isEmpty else { return }
            writeFully(chunk)
            chunk.removeAll(keepingCapacity: true)
            buffer.withLock { $0.spare = chunk }
        }
    }

    /// Flushes every `flushInterval` for as long as the sink exists; the closure holds it weakly
    /// so dropping the sink ends the cycle.
    private func scheduleTimer() {
        queue.asyncAfter(deadline: .now() + flushInterval) { [weak self] in
            guard let self else { return }
            flush()
            scheduleTimer()
        }
    }

    private func writeFully(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { raw in
            guard var pointer = raw.baseAddress else { return }
            var remaining = raw.count
            while remaining > 0 {
                let written = Glibc.write(fileDescriptor, pointer, remaining)
                if written > 0 {
                    pointer += written
                    remaining -= written
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN {
                    // A non-blocking descriptor is full: wait for room instead of spinning.
                    var request = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&request, 1, 100)
                } else {
                    // The descriptor is closed or broken; there is nowhere left to report it.
                    return
                }
            }
        }
    }
}
