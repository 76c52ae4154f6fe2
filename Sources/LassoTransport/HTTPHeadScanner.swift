import Foundation

/// Finds where an HTTP head ends (the empty line after the header fields) in a buffer that
/// grows as bytes arrive, without rescanning what it has already looked at — a head dripped one
/// byte at a time costs linear, not quadratic, work.
///
/// ```swift
/// var scanner = HTTPHeadScanner()
/// let part = Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8), whole = part + Array("\r\n".utf8)
/// let first = part.withUnsafeBytes { scanner.scan($0) }    // .incomplete(firstLineLength: 14)
/// let second = whole.withUnsafeBytes { scanner.scan($0) }  // .complete(headLength: 27)
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct HTTPHeadScanner {
    /// What the bytes so far contain.
    enum Result: Equatable {
        /// No end yet; the length of the first line when its CRLF has arrived.
        case incomplete(firstLineLength: Int?)
        /// The head is the first `headLength` bytes, final CRLF CRLF included.
        case complete(headLength: Int)
    }

    private var scanned = 0
    private var firstLineLength: Int?

    /// Looks at `buffer`, which starts where the head starts and extends what was scanned before.
    mutating func scan(_ buffer: UnsafeRawBufferPointer) -> Result {
        guard let base = buffer.baseAddress else { return .incomplete(firstLineLength: nil) }
        var index = max(scanned, 0)
        while index < buffer.count {
            guard let found = memchr(base + index, 0x0A, buffer.count - index) else { break }
            let newline = base.distance(to: UnsafeRawPointer(found))
            if firstLineLength == nil, newline >= 1, buffer[newline - 1] == 0x0D { firstLineLength = newline - 1 }
            if newline >= 3, buffer[newline - 1] == 0x0D, buffer[newline - 2] == 0x0A, buffer[newline - 3] == 0x0D {
                reset()
                return .complete(headLength: newline + 1)
            }
            index = newline + 1
        }
        scanned = buffer.count
        return .incomplete(firstLineLength: firstLineLength)
    }

    /// Starts over for the next head.
    mutating func reset() {
        scanned = 0
        firstLineLength = nil
    }
}
