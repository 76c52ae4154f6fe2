/// Appends compact JSON into a byte buffer, for the log lines and metadata lassod writes on
/// every request. It exists because `JSONSerialization` costs ~15 µs per small document on
/// this hardware (the project's performance notes) and allocates a dictionary per object; this
/// writer costs one buffer append per token.
///
/// Commas are inserted automatically: the writer remembers whether the current container
/// already has a member. Keys given as `StaticString` are trusted to need no escaping (they
/// are lassod's own field names); `String` keys and all string values are escaped.
///
/// ```swift
/// var json = JSONWriter()
/// json.beginObject()
/// json.string("event", "rpc.request.completed")
/// json.beginObject("timing"); json.milliseconds("upstream_latency_ms", nanos: 1_500_000); json.endObject()
/// json.endObject()
/// // {"event":"rpc.request.completed","timing":{"upstream_latency_ms":1.5}}
/// ```
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public var bytes: [UInt8]
    /// Whether the innermost open container has no member yet.
    private var atContainerStart = true

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object as a value (top level or array element).
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atContainerStart = true
    }

    /// Opens an object as the member `key`.
    public mutating func beginObject(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        atContainerStart = true
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        atContainerStart = false
    }

    /// Opens an array as the member `key`.
    public mutating func beginArray(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        atContainerStart = true
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        atContainerStart = false
    }

    /// Writes the member `key` with a string value.
    public mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        appendEscaped(value)
    }

    /// Writes a string element of the current array.
    public mutating func element(_ value: String) {
        separate()
        appendEscaped(value)
    }

    /// Writes a string element built from `prefix`, `separator` and `suffix`, without
    /// concatenating them first (`"ethereum_ankr:http"`).
    public mutating func element(_ prefix: String, _ separator: UInt8, _ suffix: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendEscapedContent(prefix)
        bytes.append(separator)
        appendEscapedContent(suffix)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes the member `key` with an integer value.
    public mutating func int(_ key: StaticString, _ value: Int) {
        self.key(key)
        appendInteger(value)
    }

    /// Writes the member `key` with `true` or `false`.
    public mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    /// Writes the member `key` with `null`.
    public mutating func null(_ key: StaticString) {
        self.key(key)
        bytes.append(contentsOf: Self.nullBytes)
    }

    /// Writes the member `key` with a duration in milliseconds at microsecond resolution,
    /// trailing zeros trimmed: 592 000 000 ns → `592`, 1 500 000 ns → `1.5`, 12 345 ns → `0.012`.
    public mutating func milliseconds(_ key: StaticString, nanos: UInt64) {
        self.key(key)
        appendMilliseconds(nanos: nanos)
    }

    /// Writes the member `key` with raw, already valid JSON bytes.
    public mutating func raw(_ key: StaticString, _ json: some Collection<UInt8>) {
        self.key(key)
        bytes.append(contentsOf: json)
    }

    /// Writes a member whose key is a runtime string (escaped), leaving the value to the caller.
    public mutating func key(_ key: String) {
        separate()
        appendEscaped(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes a bare string value after `key(_:)`.
    public mutating func stringValue(_ value: String) {
        appendEscaped(value)
    }

    /// Writes a bare integer value after `key(_:)`.
    public mutating func integerValue(_ value: Int) {
        appendInteger(value)
    }

    /// Writes bare, already valid JSON after `key(_:)`.
    public mutating func rawValue(_ json: some Collection<UInt8>) {
        bytes.append(contentsOf: json)
    }

    // MARK: - Encoding

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)

    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func separate() {
        if atContainerStart {
            atContainerStart = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    private mutating func appendEscaped(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        appendEscapedContent(text)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscapedContent(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            // Copy runs of bytes that need no escape in one append: identifiers and hex
            // strings, which are nearly everything written, are a single run.
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                appendEscape(byte)
                runStart = index + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
    }

    private mutating func appendEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            Self.hexDigits.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// Appends `value` in decimal without going through `String`.
    mutating func appendInteger(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendUnsigned(value.magnitude)
    }

    /// Appends `value` in decimal without going through `String`.
    mutating func appendUnsigned(_ value: some UnsignedInteger & FixedWidthInteger) {
        var value = UInt64(value)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
                count += 1
            } while value > 0
            while count > 0 {
                count -= 1
                bytes.append(digits[count])
            }
        }
    }

    private mutating func appendMilliseconds(nanos: UInt64) {
        appendUnsigned(nanos / 1_000_000)
        var micros = (nanos % 1_000_000) / 1_000
        guard micros > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var divisor: UInt64 = 100
        while micros > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: micros / divisor))
            micros %= divisor
            divisor /= 10
        }
    }
}
