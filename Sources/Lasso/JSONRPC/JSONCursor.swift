/// A forward-only JSON validator over raw bytes: the engine under `JSONRPCScanner`.
///
/// It checks RFC 8259 syntax exactly (strings with their escapes and UTF-8, numbers, literals,
/// nesting) in one pass, allocates nothing, and reports where values start and end instead of
/// building them. Containers are skipped iteratively with a fixed 256-level bit stack, so hostile
/// nesting can neither recurse the stack away nor allocate. Unpaired UTF-16 surrogate escapes
/// are rejected, as Foundation's `JSONSerialization` rejects them.
///
/// The byte `0` stands for "end of input" in `peek()`: it is never valid where a token may
/// start, and a raw NUL inside a string is invalid JSON anyway.
///
/// Public for the simulated providers (`LassoSimulation`), which decode request parameters
/// with it rather than carry a second JSON parser.
public struct JSONCursor {
    /// Where scanning stopped because the input is not JSON.
    public struct SyntaxError: Error {
        /// Offset of the offending byte (or the end of input).
        public var offset: Int
    }

    /// What a scanned value was, from its first byte.
    public enum ValueKind: Equatable {
        /// The six JSON value types.
        case object, array, string, number, bool, null
    }

    /// Which of nesting levels 1...256 are objects (bit set) or arrays.
    private struct ContainerStack {
        static let capacity = 256
        private var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private(set) var depth = 0

        var isEmpty: Bool { depth == 0 }

        var topIsObject: Bool { bit(depth - 1) }

        mutating func push(isObject: Bool, at offset: Int) throws(SyntaxError) {
            guard depth < Self.capacity else { throw SyntaxError(offset: offset) }
            let word = depth >> 6, mask = UInt64(1) << UInt64(depth & 63)
            switch word {
            case 0: bits.0 = isObject ? bits.0 | mask : bits.0 & ~mask
            case 1: bits.1 = isObject ? bits.1 | mask : bits.1 & ~mask
            case 2: bits.2 = isObject ? bits.2 | mask : bits.2 & ~mask
            default: bits.3 = isObject ? bits.3 | mask : bits.3 & ~mask
            }
            depth += 1
        }

        mutating func pop() { depth -= 1 }

        private func bit(_ level: Int) -> Bool {
            let mask = UInt64(1) << UInt64(level & 63)
            switch level >> 6 {
            case 0: return bits.0 & mask != 0
            case 1: return bits.1 & mask != 0
            case 2: return bits.2 & mask != 0
            default: return bits.3 & mask != 0
            }
        }
    }

    let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to scan.
    public internal(set) var position: Int
    let end: Int

    /// A cursor over `range` of `bytes`; offsets it reports are offsets into `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// Whether every byte of the range was scanned.
    public var isAtEnd: Bool { position >= end }

    /// The byte at `position`, or `0` at the end of the range.
    public func peek() -> UInt8 { position < end ? bytes[position] : 0 }

    /// Moves past JSON whitespace (space, tab, CR, LF).
    public mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws(SyntaxError) {
        guard peek() == byte else { throw SyntaxError(offset: position) }
        position += 1
    }

    /// Scans one value of any kind starting at `position` (no leading whitespace).
    public mutating func scanValue() throws(SyntaxError) -> ValueKind {
        switch peek() {
        case UInt8(ascii: "{"):
            try scanContainer()
            return .object
        case UInt8(ascii: "["):
            try scanContainer()
            return .array
        default:
            return try scanScalar()
        }
    }

    /// Scans the members of the object at `position`, calling `visit` with each key token's range
    /// (quotes included), whether the key has escapes, the value's range and kind.
    public mutating func scanObject(_ visit: (_ key: Range<Int>, _ keyEscaped: Bool, _ value: Range<Int>, _ kind: ValueKind) -> Void)
        throws(SyntaxError)
    {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            let keyStart = position
            guard peek() == UInt8(ascii: "\"") else { throw SyntaxError(offset: position) }
            let escaped = try scanString()
            let key = keyStart..<position
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let valueStart = position
            let kind = try scanValue()
            visit(key, escaped, valueStart..<position, kind)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return
            default:
                throw SyntaxError(offset: position)
            }
        }
    }

    /// Scans the elements of the array at `position`, calling `visit` with each element's range.
    public mutating func scanArray(_ visit: (_ element: Range<Int>) -> Void) throws(SyntaxError) {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            let start = position
            _ = try scanValue()
            visit(start..<position)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return
            default:
                throw SyntaxError(offset: position)
            }
        }
    }

    /// Skips a whole object or array without recursion: scalars are scanned in place, and only
    /// the kind of each open container is remembered, to match its closing bracket.
    private mutating func scanContainer() throws(SyntaxError) {
        var stack = ContainerStack()
        var opening = true
        while true {
            if opening {
                let isObject = bytes[position] == UInt8(ascii: "{")
                try stack.push(isObject: isObject, at: position)
                position += 1
                skipWhitespace()
                if peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    stack.pop()
                } else {
                    if isObject { try scanKey() }
                    opening = try scanElementOrFindContainer()
                    if opening { continue }
                }
            }
            if stack.isEmpty { return }
            skipWhitespace()
            let byte = peek()
            if byte == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
                if stack.topIsObject { try scanKey() }
                opening = try scanElementOrFindContainer()
            } else if byte == (stack.topIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                position += 1
                stack.pop()
                opening = false
            } else {
                throw SyntaxError(offset: position)
            }
        }
    }

    /// A member key and its colon, leaving `position` at the value.
    private mutating func scanKey() throws(SyntaxError) {
        guard peek() == UInt8(ascii: "\"") else { throw SyntaxError(offset: position) }
        _ = try scanString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
    }

    /// Scans a scalar element, or returns true, consuming nothing, when a container starts here.
    private mutating func scanElementOrFindContainer() throws(SyntaxError) -> Bool {
        let byte = peek()
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { return true }
        _ = try scanScalar()
        return false
    }

    private mutating func scanScalar() throws(SyntaxError) -> ValueKind {
        switch peek() {
        case UInt8(ascii: "\""):
            _ = try scanString()
            return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber()
            return .number
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return .null
        default:
            throw SyntaxError(offset: position)
        }
    }

    private mutating func scanLiteral(_ word: StaticString) throws(SyntaxError) {
        let count = word.utf8CodeUnitCount
        guard end - position >= count else { throw SyntaxError(offset: position) }
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: count)
        for index in 0..<count where bytes[position + index] != expected[index] {
            throw SyntaxError(offset: position + index)
        }
        position += count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func scanNumber() throws(SyntaxError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else {
            try scanDigits()
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            try scanDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            try scanDigits()
        }
    }

    /// One or more decimal digits.
    private mutating func scanDigits() throws(SyntaxError) {
        guard Self.isDigit(peek()) else { throw SyntaxError(offset: position) }
        repeat { position += 1 } while Self.isDigit(peek())
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Scans the string token at `position` (on its opening quote); returns whether it holds
    /// escapes, which tells callers whether its raw bytes are already its text.
    mutating func scanString() throws(SyntaxError) -> Bool {
        position += 1
        var escaped = false
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return escaped
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                try scanEscape()
            } else if byte < 0x20 {
                throw SyntaxError(offset: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                try scanUTF8Sequence()
            }
        }
        throw SyntaxError(offset: position)
    }

    /// An escape at `position` (on its backslash); a high surrogate must be followed at once by
    /// an escaped low surrogate, and a low surrogate may not appear alone.
    private mutating func scanEscape() throws(SyntaxError) {
        position += 1
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            let unit = try scanHex4()
            if (0xDC00...0xDFFF).contains(unit) { throw SyntaxError(offset: position) }
            if (0xD800...0xDBFF).contains(unit) {
                guard peek() == UInt8(ascii: "\\") else { throw SyntaxError(offset: position) }
                position += 1
                guard peek() == UInt8(ascii: "u") else { throw SyntaxError(offset: position) }
                guard (0xDC00...0xDFFF).contains(try scanHex4()) else { throw SyntaxError(offset: position) }
            }
        default:
            throw SyntaxError(offset: position)
        }
    }

    /// `u` and four hex digits at `position`, returning their value.
    private mutating func scanHex4() throws(SyntaxError) -> UInt16 {
        position += 1
        guard end - position >= 4 else { throw SyntaxError(offset: position) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexValue(bytes[position]) else { throw SyntaxError(offset: position) }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// Whether the bytes at `range` of `bytes` are exactly `text`: how the scanners above a
    /// cursor recognise member names and literals without making strings.
    static func bytes(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount, range.lowerBound >= 0, range.upperBound <= bytes.count else { return false }
        let expected = text.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
        return true
    }

    /// The value of one hex digit (either case); nil for any other byte.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// One well-formed UTF-8 sequence of 2–4 bytes (no overlongs, surrogates or values above
    /// U+10FFFF), per the table in Unicode 15 §3.9.
    private mutating func scanUTF8Sequence() throws(SyntaxError) {
        let lead = bytes[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw SyntaxError(offset: position)
        }
        guard end - position >= length, secondRange.contains(bytes[position + 1]) else { throw SyntaxError(offset: position) }
        for index in 2..<length where !(0x80...0xBF).contains(bytes[position + index]) {
            throw SyntaxError(offset: position + index)
        }
        position += length
    }
}
