/// Appends compact JSON into a byte buffer: the one JSON writer, and the one string escaper, of
/// everything lassod writes token by token — the log lines and client metadata of every
/// request, its own JSON-RPC error bodies and subscription replies, admin reply lines, and the
/// simulated providers' responses (`LassoSimulation`). It exists because `JSONSerialization`
/// costs ~15 µs per small document on this hardware (the project's performance notes) and
/// allocates a dictionary per object; this writer costs a capacity check and a `memcpy` per
/// token. (Whole `Codable` documents off the hot path — admin results, `/api` answers — are
/// encoded by Foundation's `JSONEncoder`; an admin reply line places its result with
/// `raw(_:_:)`.)
///
/// Commas are inserted automatically: the writer remembers whether the next value opens its
/// container or follows a key, where no comma belongs. So a function that writes one value
/// (an object, say) can be called for a member, for an array element or for the whole
/// document alike. Keys given as `StaticString` are trusted to need no escaping (they
/// are lassod's own field names); `String` keys and all string values are escaped.
///
/// ```swift
/// var json = JSONWriter()
/// json.beginObject()
/// json.string("event", "rpc.request.completed")
/// json.beginObject("timing"); json.milliseconds("upstream_latency_ms", nanos: 1_500_000); json.endObject()
/// json.endObject()
/// let line = json.finish()   // {"event":"rpc.request.completed","timing":{"upstream_latency_ms":1.5}}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
/// The writer owns a manually managed buffer rather than a `[UInt8]`: `Array.append` pays a
/// uniqueness check and a generic copy path per call, which made up most of a log line's cost
/// in the micro-benchmark. It is non-copyable so the buffer has exactly one owner and is freed
/// exactly once.
public struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Whether the next value needs no comma before it: the innermost container has nothing
    /// yet, or `key(_:)` has just written the value's key.
    private var nextValueNeedsNoComma = true

    /// An empty writer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 512) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The JSON written.
    public consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// The JSON written followed by `\n`: one log line.
    public consuming func finishLine() -> [UInt8] {
        appendByte(0x0A)
        return Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Opens an object as a value (top level, array element, or after `key(_:)`).
    public mutating func beginObject() {
        separate()
        open(UInt8(ascii: "{"))
    }

    /// Opens an object as the member `key`.
    public mutating func beginObject(_ key: StaticString) {
        writeKey(key)
        open(UInt8(ascii: "{"))
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    /// Opens an array as a value (top level, array element, or after `key(_:)`).
    public mutating func beginArray() {
        separate()
        open(UInt8(ascii: "["))
    }

    /// Opens an array as the member `key`.
    public mutating func beginArray(_ key: StaticString) {
        writeKey(key)
        open(UInt8(ascii: "["))
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    /// Writes the member `key` with a string value.
    public mutating func string(_ key: StaticString, _ value: String) {
        writeKey(key)
        appendEscaped(value)
    }

    /// Writes the member `key` with bytes that already are one JSON value (a client's id, a
    /// document encoded elsewhere), as they are; see `rawValue(_:)`.
    public mutating func raw(_ key: StaticString, _ json: some Collection<UInt8>) {
        writeKey(key)
        appendRaw(json)
    }
    /// Writes the member `key` with an integer value.
    public mutating func int(_ key: StaticString, _ value: Int) {
        writeKey(key)
        appendInteger(value)
    }

    /// Writes the member `key` with `true` or `false`.
    public mutating func bool(_ key: StaticString, _ value: Bool) {
        writeKey(key)
        appendStatic(value ? "true" : "false")
    }

    /// Writes the member `key` with `null`.
    public mutating func null(_ key: StaticString) {
        writeKey(key)
        appendStatic("null")
    }

    /// Writes the member `key` with a duration in milliseconds at microsecond resolution,
    /// trailing zeros trimmed: 592 000 000 ns → `592`, 1 500 000 ns → `1.5`, 12 345 ns → `0.012`.
    public mutating func milliseconds(_ key: StaticString, nanos: UInt64) {
        writeKey(key)
        appendMilliseconds(nanos: nanos)
    }

    /// Writes the member `key` with an RFC 3339 UTC timestamp (`RFC3339Timestamp`).
    public mutating func timestamp(_ key: StaticString, unixMillis: Int64) {
        writeKey(key)
        appendByte(UInt8(ascii: "\""))
        appendUnsafe(count: RFC3339Timestamp.length) { RFC3339Timestamp.write(unixMillis: unixMillis, to: $0) }
        appendByte(UInt8(ascii: "\""))
    }

    /// Writes the member `key` with a request id's 32 hex digits.
    public mutating func requestID(_ key: StaticString, _ id: RequestID) {
        writeKey(key)
        appendByte(UInt8(ascii: "\""))
        appendUnsafe(count: RequestID.hexLength) { id.writeHex(to: $0) }
        appendByte(UInt8(ascii: "\""))
    }

    /// Writes a member whose key is a runtime string (escaped); the next value written (a bare
    /// value below, `beginObject()`, `beginArray()`) is its value.
    public mutating func key(_ key: String) {
        separate()
        appendEscaped(key)
        appendByte(UInt8(ascii: ":"))
        nextValueNeedsNoComma = true
    }

    // The bare values below go after `key(_:)`, in an array, or alone as the whole document.

    /// Writes a bare string value.
    public mutating func stringValue(_ value: String) {
        separate()
        appendEscaped(value)
    }

    /// Writes a bare string value made of `prefix`, `separator` and `suffix`, without
    /// concatenating them first (`"ethereum_ankr:http"`).
    public mutating func stringValue(_ prefix: String, _ separator: UInt8, _ suffix: String) {
        separate()
        appendByte(UInt8(ascii: "\""))
        appendEscapedContent(prefix)
        appendByte(separator)
        appendEscapedContent(suffix)
        appendByte(UInt8(ascii: "\""))
    }

    /// Writes a bare integer value.
    public mutating func integerValue(_ value: Int) {
        separate()
        appendInteger(value)
    }

    /// Writes a bare number; NaN and infinities become `null`, as JSON has no spelling for them.
    public mutating func doubleValue(_ value: Double) {
        separate()
        if value.isFinite {
            var text = "\(value)"
            text.withUTF8 { appendBytes(UnsafeRawBufferPointer($0)) }
        } else {
            appendStatic("null")
        }
    }

    /// Writes bare `true`/`false`.
    public mutating func boolValue(_ value: Bool) {
        separate()
        appendStatic(value ? "true" : "false")
    }

    /// Writes bare `null`.
    public mutating func nullValue() {
        separate()
        appendStatic("null")
    }

    /// Writes bytes that already are one JSON value, as they are (a client's id, a rendered
    /// result). Nothing checks them: the caller vouches that they are JSON.
    public mutating func rawValue(_ json: some Collection<UInt8>) {
        separate()
        appendRaw(json)
    }

    // MARK: - Buffer

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toFit: extra) }
    }

    @inline(never)
    private mutating func grow(toFit extra: Int) {
        var newCapacity = capacity * 2
        while count + extra > newCapacity { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func appendByte(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    private mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    private mutating func appendRaw(_ json: some Collection<UInt8>) {
        let copied: Void? = json.withContiguousStorageIfAvailable { appendBytes(UnsafeRawBufferPointer($0)) }
        guard copied == nil else { return }
        reserve(json.count)
        for byte in json { appendByte(byte) }
    }

    private mutating func appendStatic(_ text: StaticString) {
        text.withUTF8Buffer { appendBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Lets `body` write exactly `length` bytes in place.
    private mutating func appendUnsafe(count length: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        reserve(length)
        body(base + count)
        count += length
    }

    // MARK: - Encoding

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// `"key":` for the keyed writers above, which write the value at once (so they leave
    /// `nextValueNeedsNoComma` false and skip the check).
    private mutating func writeKey(_ key: StaticString) {
        separate()
        // `withUTF8Buffer` rather than `utf8Start`: a one-character literal may be stored as a
        // scalar rather than a pointer, and `utf8Start` would trap on it.
        key.withUTF8Buffer { name in
            reserve(name.count + 3)
            base[count] = UInt8(ascii: "\"")
            if let start = name.baseAddress { (base + count + 1).update(from: start, count: name.count) }
            count += name.count + 1
            base[count] = UInt8(ascii: "\"")
            base[count + 1] = UInt8(ascii: ":")
            count += 2
        }
    }

    /// A container's opening bracket: its first value needs no comma.
    @inline(__always)
    private mutating func open(_ bracket: UInt8) {
        appendByte(bracket)
        nextValueNeedsNoComma = true
    }

    /// A container's closing bracket: whatever follows it does.
    @inline(__always)
    private mutating func close(_ bracket: UInt8) {
        appendByte(bracket)
        nextValueNeedsNoComma = false
    }

    @inline(__always)
    private mutating func separate() {
        if nextValueNeedsNoComma {
            nextValueNeedsNoComma = false
        } else {
            appendByte(UInt8(ascii: ","))
        }
    }

    private mutating func appendEscaped(_ text: String) {
        appendByte(UInt8(ascii: "\""))
        appendEscapedContent(text)
        appendByte(UInt8(ascii: "\""))
    }

    private mutating func appendEscapedContent(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            // Copy runs of bytes that need no escape in one go: identifiers and hex strings,
            // which are nearly everything written, are a single run.
            var runStart = 0
            var index = 0
            let raw = UnsafeRawBufferPointer(utf8)
            while index < utf8.count {
                // Skip eight clean bytes at a time; only a word with a byte to escape is
                // examined byte by byte.
                if index + 8 <= utf8.count, !Self.needsEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                    index += 8
                    continue
                }
                let byte = utf8[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    if runStart < index { appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))) }
                    appendEscape(byte)
                    runStart = index + 1
                }
                index += 1
            }
            if runStart < utf8.count { appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...]))) }
        }
    }

    /// Whether any of the eight bytes in `word` is a control character, `"` or `\\`: the
    /// classic "has zero byte" bit trick applied to `word`, `word ^ "…"` and `word ^ "\\…"`.
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below0x20 = (word &- ones &* 0x20) & ~word & highs
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let hasQuote = (quotes &- ones) & ~quotes & highs
        let hasBackslash = (backslashes &- ones) & ~backslashes & highs
        return (below0x20 | hasQuote | hasBackslash) != 0
    }

    private mutating func appendEscape(_ byte: UInt8) {
        appendByte(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): appendByte(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): appendByte(UInt8(ascii: "\\"))
        case 0x0A: appendByte(UInt8(ascii: "n"))
        case 0x0D: appendByte(UInt8(ascii: "r"))
        case 0x09: appendByte(UInt8(ascii: "t"))
        case 0x08: appendByte(UInt8(ascii: "b"))
        case 0x0C: appendByte(UInt8(ascii: "f"))
        default:
            appendStatic("u00")
            let digits = Self.hexDigits.utf8Start
            appendByte(digits[Int(byte >> 4)])
            appendByte(digits[Int(byte & 0x0F)])
        }
    }

    private mutating func appendInteger(_ value: Int) {
        if value < 0 { appendByte(UInt8(ascii: "-")) }
        appendUnsigned(value.magnitude)
    }

    private mutating func appendUnsigned(_ value: UInt64) {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        appendUnsafe(count: digits) { out in
            var rest = value
            for position in stride(from: digits - 1, through: 0, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
    }

    private mutating func appendUnsigned(_ value: UInt) {
        appendUnsigned(UInt64(value))
    }

    private mutating func appendMilliseconds(nanos: UInt64) {
        appendUnsigned(nanos / 1_000_000)
        var micros = (nanos % 1_000_000) / 1_000
        guard micros > 0 else { return }
        appendByte(UInt8(ascii: "."))
        var divisor: UInt64 = 100
        while micros > 0 {
            appendByte(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: micros / divisor))
            micros %= divisor
            divisor /= 10
        }
    }
}
