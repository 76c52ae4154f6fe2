/// The header fields of one HTTP message, in order, names lower-cased.
///
/// Parsing follows RFC 9110/9112 strictly where leniency lets requests be read two ways
/// (request smuggling): a space before the colon, obsolete line folding, bare CR or LF and
/// control characters in a value are errors, not things to repair.
///
/// ```swift
/// let fields = try HTTPFields.parse(bytes("Host: a\r\nX-Id:  7 \r\n"), limit: 100)
/// fields["host"]    // "a"
/// fields["x-id"]    // "7"
/// ```
struct HTTPFields: Sendable {
    private(set) var list: [(name: String, value: String)] = []

    init() {}

    /// Fields from a dictionary (requests built by hand: tests, other transports).
    init(_ dictionary: [String: String]) {
        list = dictionary.map { (name: $0.key.lowercased(), value: $0.value) }
    }

    /// The value of `name` (lower-case); repeated fields are joined with ", ".
    subscript(name: String) -> String? {
        var result: String?
        for field in list where field.name == name {
            result = result.map { $0 + ", " + field.value } ?? field.value
        }
        return result
    }

    /// How many times `name` occurs.
    func count(of name: String) -> Int { list.reduce(0) { $0 + ($1.name == name ? 1 : 0) } }

    /// True when the comma-separated list `name` holds `token`, case-insensitively.
    func contains(token: String, in name: String) -> Bool {
        guard let value = self[name] else { return false }
        return value.split(separator: ",").contains { $0.trimmingWhitespace().lowercased() == token }
    }

    /// Every field as a dictionary; repeated names joined with ", ".
    var dictionary: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(list.count)
        for field in list {
            if let existing = result[field.name] {
                result[field.name] = existing + ", " + field.value
            } else {
                result[field.name] = field.value
            }
        }
        return result
    }

    /// Parses `bytes`: zero or more `name: value CRLF` lines (the head without its first line
    /// and without the final empty line). At most `limit` fields.
    static func parse(_ bytes: UnsafeRawBufferPointer, limit: Int) throws(HTTPParseError) -> HTTPFields {
        var fields = HTTPFields()
        var index = 0
        let count = bytes.count
        while index < count {
            guard fields.list.count < limit else { throw .headersTooLarge }
            let first = bytes[index]
            if first == 0x20 || first == 0x09 { throw .badRequest("obsolete line folding") }
            // Name: one or more token characters, then the colon with nothing in between.
            let nameStart = index
            while index < count, HTTPFields.isTokenByte(bytes[index]) { index += 1 }
            guard index > nameStart, index < count, bytes[index] == 0x3A else {
                throw .badRequest("malformed header field")
            }
            let name = Self.lowercased(UnsafeRawBufferPointer(rebasing: bytes[nameStart..<index]))
            index += 1
            while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            let valueStart = index
            var valueEnd = index
            while index < count {
                let byte = bytes[index]
                if byte == 0x0D { break }
                if byte == 0x7F || (byte < 0x20 && byte != 0x09) { throw .badRequest("control character in header field") }
                index += 1
                if byte != 0x20 && byte != 0x09 { valueEnd = index }
            }
            guard index + 1 < count, bytes[index] == 0x0D, bytes[index + 1] == 0x0A else {
                throw .badRequest("header field not terminated by CRLF")
            }
            index += 2
            fields.list.append((name, String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)))
        }
        return fields
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
