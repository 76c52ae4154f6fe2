/// Decodes a `Transfer-Encoding: chunked` body incrementally (RFC 9112 §7.1): feed it bytes as
/// they arrive; it appends the data to the body and says how many input bytes it used.
///
/// Chunk extensions are skipped and trailer fields dropped, both within fixed bounds, so a
/// peer cannot make the decoder hold unbounded state.
///
/// ```swift
/// var decoder = ChunkedDecoder(limit: 1024)
/// var body: [UInt8] = []
/// let input = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
/// let used = try input.withUnsafeBytes { try decoder.decode($0, into: &body) }   // (consumed: 15, done: true), body "hello"
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct ChunkedDecoder {
    private enum State {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    private var state = State.size
    /// Bytes of the current size or trailer line seen so far.
    private var lineLength = 0
    private var size = 0
    private var sawDigit = false
    private var inExtension = false
    private var trailerBytes = 0
    private var pendingCR = false
    /// Largest decoded body.
    let limit: Int

    private static let maxLineBytes = 4096
    private static let maxTrailerBytes = 8192

    init(limit: Int) { self.limit = limit }

    var isDone: Bool { if case .done = state { true } else { false } }

    /// Decodes from `input`, appending data to `body`. Returns the bytes used and whether the
    /// body is complete (the rest of `input` then belongs to the next message).
    mutating func decode(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> (consumed: Int, done: Bool) {
        var index = 0
        while index < input.count {
            switch state {
            case .done:
                return (index, true)
            case .data(let remaining):
                let take = min(remaining, input.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                state = remaining == take ? .dataEnd : .data(remaining: remaining - take)
            case .dataEnd:
                let byte = input[index]
                index += 1
                if !pendingCR {
                    guard byte == 0x0D else { throw .badRequest("malformed chunk") }
                    pendingCR = true
                } else {
                    guard byte == 0x0A else { throw .badRequest("malformed chunk") }
                    pendingCR = false
                    state = .size
                }
            case .size:
                let byte = input[index]
                index += 1
                lineLength += 1
                guard lineLength <= Self.maxLineBytes else { throw .badRequest("chunk size line too long") }
                if pendingCR {
                    guard byte == 0x0A, sawDigit else { throw .badRequest("malformed chunk size") }
                    pendingCR = false
                    lineLength = 0
                    sawDigit = false
                    inExtension = false
                    if size == 0 {
                        state = .trailer
                    } else {
                        guard body.count + size <= limit else { throw .payloadTooLarge }
                        state = .data(remaining: size)
                    }
                    size = 0
                } else if byte == 0x0D {
                    pendingCR = true
                } else if inExtension {
                    guard byte >= 0x20 || byte == 0x09, byte != 0x7F else { throw .badRequest("malformed chunk extension") }
                } else if let digit = Self.hex(byte) {
                    guard size < (Int.max >> 8) else { throw .payloadTooLarge }
                    size = size << 4 | Int(digit)
                    sawDigit = true
                } else if byte == 0x3B || byte == 0x20 || byte == 0x09, sawDigit {
                    inExtension = true
                } else {
                    throw .badRequest("malformed chunk size")
                }
            case .trailer:
                let byte = input[index]
                index += 1
                trailerBytes += 1
                guard trailerBytes <= Self.maxTrailerBytes else { throw .headersTooLarge }
                if pendingCR {
                    guard byte == 0x0A else { throw .badRequest("malformed trailer") }
                    pendingCR = false
                    if lineLength == 0 {
                        state = .done
                        return (index, true)
                    }
                    lineLength = 0
                } else if byte == 0x0D {
                    pendingCR = true
                } else {
                    lineLength += 1
                }
            }
        }
        return (index, isDone)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
