import Lasso

/// Hex encoding and decoding in the forms Ethereum JSON-RPC uses.
///
/// Quantities are `0x`-prefixed without leading zeros (`0x0`, `0x1a`); data is `0x`-prefixed
/// with two digits per byte (`0x00ff`). Parsing is lenient where real nodes are (upper-case
/// digits) and strict where a wrong answer would be worse than an error (missing prefix,
/// overflow).
enum SimulatedHex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `0x` and the shortest hex form of `value`.
    static func quantity(_ value: UInt64) -> String {
        "0x" + String(value, radix: 16)
    }

    /// `value` as exactly 16 lower-case hex digits, no prefix.
    static func word(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            write(value, into: buffer, at: 0)
            return 16
        }
    }

    /// `0x` and the concatenated 16-digit forms of `words`: `words.count * 8` bytes of data.
    /// Built in one allocation: hashes are formatted for every log and block served.
    static func data(_ words: [UInt64]) -> String {
        String(unsafeUninitializedCapacity: 2 + 16 * words.count) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "x")
            for (index, value) in words.enumerated() {
                write(value, into: buffer, at: 2 + 16 * index)
            }
            return 2 + 16 * words.count
        }
    }

    /// Writes `value` as 16 hex digits at `offset`.
    private static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var remaining = value
        for index in stride(from: offset + 15, through: offset, by: -1) {
            buffer[index] = digits[Int(remaining & 0xF)]
            remaining >>= 4
        }
    }

    /// A 20-byte address from three mixed words (the first 4 bytes of the first word dropped).
    static func address(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> String {
        "0x" + String(word(a).dropFirst(8)) + word(b) + word(c)
    }

    /// The value of a hex quantity (`0x` then 1–16 digits); nil for anything else, including
    /// values that do not fit in 64 bits.
    static func parseQuantity(_ text: String) -> UInt64? {
        let utf8 = Array(text.utf8)
        guard utf8.count > 2, utf8.count <= 18, utf8[0] == UInt8(ascii: "0"),
              utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X")
        else { return nil }
        var value: UInt64 = 0
        for byte in utf8.dropFirst(2) {
            guard let digit = JSONCursor.hexValue(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// Whether `text` is `0x` followed by exactly `byteCount` bytes of hex.
    static func isData(_ text: String, byteCount: Int) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 2 + 2 * byteCount, text.hasPrefix("0x") || text.hasPrefix("0X") else { return false }
        return utf8.dropFirst(2).allSatisfy { JSONCursor.hexValue($0) != nil }
    }

    /// Whether `text` is `0x` followed by any even number of hex digits (call data).
    static func isData(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.count % 2 == 0, text.hasPrefix("0x") || text.hasPrefix("0X") else { return false }
        return utf8.dropFirst(2).allSatisfy { JSONCursor.hexValue($0) != nil }
    }

    /// The 8-byte word at `wordIndex` (0-based) of a `0x`-prefixed data string; nil when the
    /// string is too short or not hex.
    static func word(in text: String, at wordIndex: Int) -> UInt64? {
        let utf8 = Array(text.utf8)
        let start = 2 + wordIndex * 16
        guard wordIndex >= 0, utf8.count >= start + 16 else { return nil }
        var value: UInt64 = 0
        for byte in utf8[start..<(start + 16)] {
            guard let digit = JSONCursor.hexValue(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
