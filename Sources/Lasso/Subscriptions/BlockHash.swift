/// A 32-byte block hash held in four words instead of a 66-character string: continuity state
/// remembers hundreds of them per key, and comparing four words is what dedupe does per event.
///
/// Upstreams write hashes as `0x` and 64 hex digits, in either case; two spellings of one hash
/// are equal here, and `description` gives the lower-case form nodes use.
///
/// ```swift
/// let hash = BlockHash(hex: "0x" + String(repeating: "ab", count: 32))
/// let text = hash?.description   // "0xabab…ab": 0x and 64 lower-case hex digits
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct BlockHash: Hashable, Sendable, CustomStringConvertible {
    /// The hash's bytes, big-endian, eight per word.
    public let words: (UInt64, UInt64, UInt64, UInt64)

    /// The hash with these words.
    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Reads `0x` and exactly 64 hex digits; nil for anything else.
    public init?(hex text: String) {
        var text = text
        guard let hash = text.withUTF8({ BlockHash(hexDigits: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = hash
    }

    /// Reads the JSON string token at `token` of `bytes` (quotes included): `"0x"` and 64 hex
    /// digits, no escapes; nil for anything else.
    public init?(token: Range<Int>, in bytes: UnsafeRawBufferPointer) {
        guard token.count == 68, token.lowerBound >= 0, token.upperBound <= bytes.count,
              bytes[token.lowerBound] == UInt8(ascii: "\""), bytes[token.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        guard let hash = BlockHash(hexDigits: UnsafeRawBufferPointer(rebasing: bytes[(token.lowerBound + 1)..<(token.upperBound - 1)]))
        else { return nil }
        self = hash
    }

    private init?(hexDigits text: UnsafeRawBufferPointer) {
        guard text.count == 66, text[0] == UInt8(ascii: "0"), text[1] == UInt8(ascii: "x") || text[1] == UInt8(ascii: "X")
        else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for index in 0..<64 {
            guard let digit = JSONCursor.hexValue(text[2 + index]) else { return nil }
            switch index / 16 {
            case 0: words.0 = words.0 << 4 | UInt64(digit)
            case 1: words.1 = words.1 << 4 | UInt64(digit)
            case 2: words.2 = words.2 << 4 | UInt64(digit)
            default: words.3 = words.3 << 4 | UInt64(digit)
            }
        }
        self.words = words
    }

    public static func == (lhs: BlockHash, rhs: BlockHash) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// `0x` and 64 lower-case hex digits.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
        text.reserveCapacity(66)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 60, through: 0, by: -4) { text.append(digits[Int(word >> UInt64(shift) & 0xF)]) }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
