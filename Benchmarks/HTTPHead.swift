/// The framing of one HTTP/1.x message at the start of a byte buffer: where its head ends and
/// how long its body is. Shared by the benchmark upstream (requests) and the load client
/// (responses); both need only this, never the other headers.
///
/// ```swift
/// switch HTTPHead.parse(buffer.readable) {
/// case .incomplete: break                      // read more
/// case .invalid: close()                        // chunked, bad Content-Length, no CRLFCRLF in 64 KiB
/// case .complete(let head): if buffer.readableCount >= head.messageLength { … }
/// }
/// ```
/// Bodies are framed by `Content-Length` only (absent means empty): that is what wrk, nginx and
/// lassod send, and it keeps the scanner a single pass over the head.
struct HTTPHead {
    enum Parse {
        case incomplete
        case invalid
        case complete(HTTPHead)
    }

    /// Bytes up to and including the blank line.
    let headLength: Int
    let contentLength: Int
    /// `Connection: close`, or an HTTP/1.0 message (which this harness never keeps alive).
    let closesConnection: Bool
    /// Head plus body.
    var messageLength: Int { headLength + contentLength }

    /// A head larger than this without its blank line is refused rather than buffered forever.
    static let maximumHeadLength = 64 * 1_024

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        let count = bytes.count
        var lineStart = 0
        var contentLength = 0
        var closes = false
        var index = 0
        var isFirstLine = true
        while index + 1 < count {
            guard bytes[index] == UInt8(ascii: "\r"), bytes[index + 1] == UInt8(ascii: "\n") else {
                index += 1
                continue
            }
            let line = lineStart..<index
            if line.isEmpty {
                return .complete(HTTPHead(headLength: index + 2, contentLength: contentLength, closesConnection: closes))
            }
            if isFirstLine {
                isFirstLine = false
                closes = mentionsHTTP10(bytes, line)
            } else if let value = value(of: "content-length:", in: bytes, line) {
                guard let length = decimal(bytes, value) else { return .invalid }
                contentLength = length
            } else if let value = value(of: "connection:", in: bytes, line) {
                closes = equalsIgnoringCase(bytes, value, "close")
            } else if value(of: "transfer-encoding:", in: bytes, line) != nil {
                return .invalid
            }
            index += 2
            lineStart = index
        }
        return count > maximumHeadLength ? .invalid : .incomplete
    }

    /// The status code of a response's first line (`HTTP/1.1 200 OK` → 200), or nil.
    static func statusCode(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 12, bytes[8] == UInt8(ascii: " ") else { return nil }
        return decimal(bytes, 9..<12)
    }

    /// The trimmed value of the header on `line` when its name is `name` (lowercase, with the colon).
    private static func value(of name: StaticString, in bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Range<Int>? {
        let length = name.utf8CodeUnitCount
        guard line.count >= length else { return nil }
        let pattern = UnsafeRawBufferPointer(start: name.utf8Start, count: length)
        for offset in 0..<length where lowercased(bytes[line.lowerBound + offset]) != pattern[offset] { return nil }
        var start = line.lowerBound + length
        var end = line.upperBound
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return start..<end
    }

    private static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func mentionsHTTP10(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Bool {
        // Requests end their first line with the version; responses start with it.
        let suffix = line.count >= 8 && bytes[line.upperBound - 3] == UInt8(ascii: "1")
            && bytes[line.upperBound - 1] == UInt8(ascii: "0") && bytes[line.upperBound - 8] == UInt8(ascii: "H")
        let prefix = line.count >= 8 && bytes[line.lowerBound] == UInt8(ascii: "H")
            && bytes[line.lowerBound + 5] == UInt8(ascii: "1") && bytes[line.lowerBound + 7] == UInt8(ascii: "0")
        return suffix || prefix
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let pattern = UnsafeRawBufferPointer(start: word.utf8Start, count: range.count)
        for offset in 0..<range.count where lowercased(bytes[range.lowerBound + offset]) != pattern[offset] { return false }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
