import Foundation

/// The header fields of one HTTP message, in order: the field section's bytes, copied once, and
/// where each name and value lies in them. Strings are made only for the fields someone asks
/// for — a request whose handler reads one header pays for one string, not ten.
///
/// Parsing follows RFC 9110/9112 strictly where leniency lets requests be read two ways
/// (request smuggling): a space before the colon, obsolete line folding, bare CR or LF and
/// control characters in a value are errors, not things to repair.
///
/// ```swift
/// let section = Array("Host: a\r\nX-Id:  7 \r\n".utf8)
/// let fields = try section.withUnsafeBytes { try HTTPFields.parse($0, limit: 100) }
/// let host = fields["host"]   // "a"
/// let id = fields["x-id"]     // "7": looked up by lower-case name; values are trimmed
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct HTTPFields: Sendable {
    private struct Field: Sendable {
        let name: Range<Int>
        let value: Range<Int>
    }

    private var bytes: [UInt8] = []
    private var fields: [Field] = []

    init() {}

    /// Fields from a dictionary (requests built by hand: tests, other transports).
    init(_ dictionary: [String: String]) {
        for (name, value) in dictionary { append(name: name.lowercased(), value: value) }
    }

    private mutating func append(name: String, value: String) {
        let nameStart = bytes.count
        bytes.append(contentsOf: name.utf8)
        let valueStart = bytes.count
        bytes.append(contentsOf: value.utf8)
        fields.append(Field(name: nameStart..<valueStart, value: valueStart..<bytes.count))
    }

    /// Every field, names lower-cased, in order.
    var list: [(name: String, value: String)] {
        fields.map { field in
            bytes.withUnsafeBytes { raw in
                (Self.lowercased(UnsafeRawBufferPointer(rebasing: raw[field.name])),
                 String(decoding: UnsafeRawBufferPointer(rebasing: raw[field.value]), as: UTF8.self))
            }
        }
    }

    /// The value of `name` (lower-case); repeated fields are joined with ", ".
    subscript(name: String) -> String? {
        var result: String?
        forEachValue(of: name) { value in
            let text = String(decoding: value, as: UTF8.self)
            result = result.map { $0 + ", " + text } ?? text
        }
        return result
    }

    /// The values of every `name` field, in order (for fields whose repeats must agree).
    func values(of name: String) -> [String] {
        var values: [String] = []
        forEachValue(of: name) { values.append(String(decoding: $0, as: UTF8.self)) }
        return values
    }

    /// How many times `name` occurs.
    func count(of name: String) -> Int {
        var count = 0
        forEachValue(of: name) { _ in count += 1 }
        return count
    }

    /// True when the comma-separated list `name` holds `token`, case-insensitively.
    func contains(token: String, in name: String) -> Bool {
        guard let value = self[name] else { return false }
        return value.split(separator: ",").contains { $0.trimmingWhitespace().lowercased() == token }
    }

    /// Every field as a dictionary; repeated names joined with ", ".
    var dictionary: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(fields.count)
        for field in list {
            if let existing = result[field.name] {
                result[field.name] = existing + ", " + field.value
            } else {
                result[field.name] = field.value
            }
        }
        return result
    }

    /// Calls `body` with the bytes of each value of `name` (lower-case), in order.
    private func forEachValue(of name: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        var key = name
        key.withUTF8 { wanted in
            bytes.withUnsafeBytes { raw in
                for field in fields where field.name.count == wanted.count {
                    var matches = true
                    for index in 0..<wanted.count {
                        let byte = raw[field.name.lowerBound + index]
                        if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != wanted[index] {
                            matches = false
                            break
                        }
                    }
                    if matches { body(UnsafeRawBufferPointer(rebasing: raw[field.value])) }
                }
            }
        }
    }

    /// Parses `input`: zero or more `name: value CRLF` lines (the head without its first line
    /// and without the final empty line). At most `limit` fields.
    static func parse(_ input: UnsafeRawBufferPointer, limit: Int) throws(HTTPParseError) -> HTTPFields {
        var parsed = HTTPFields()
        guard input.count > 0 else { return parsed }
        parsed.bytes = [UInt8](input)
        var index = 0
        let count = input.count
        while index < count {
            guard parsed.fields.count < limit else { throw .headersTooLarge }
            let first = input[index]
            if first == 0x20 || first == 0x09 { throw .badRequest("obsolete line folding") }
            // Name: one or more token characters, then the colon with nothing in between.
            let nameStart = index
            while index < count, isTokenByte(input[index]) { index += 1 }
            guard index > nameStart, index < count, input[index] == 0x3A else {
                throw .badRequest("malformed header field")
            }
            let nameEnd = index
            index += 1
            while index < count, input[index] == 0x20 || input[index] == 0x09 { index += 1 }
            let valueStart = index
            var valueEnd = index
            while index < count {
                let byte = input[index]
                if byte == 0x0D { break }
                if byte == 0x7F || (byte < 0x20 && byte != 0x09) { throw .badRequest("control character in header field") }
                index += 1
                if byte != 0x20 && byte != 0x09 { valueEnd = index }
            }
            guard index + 1 < count, input[index] == 0x0D, input[index + 1] == 0x0A else {
                throw .badRequest("header field not terminated by CRLF")
            }
            index += 2
            parsed.fields.append(Field(name: nameStart..<nameEnd, value: valueStart..<valueEnd))
        }
        return parsed
    }

    /// `bytes` (a token: ASCII) lower-cased, built in place (a short name needs no allocation).
    static func lowercased(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            }
            return bytes.count
        }
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
