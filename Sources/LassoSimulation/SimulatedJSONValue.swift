import Lasso

/// A request's `params`, decoded into values the simulated methods can read.
///
/// The simulator is not on the hot path, and its methods look at every parameter, so unlike
/// the proxy it decodes. Decoding reuses `JSONCursor` over the already validated request body
/// and stops at `maxDepth`: no simulated method reads deeper than a filter's topic lists, and a
/// bound keeps hostile nesting from costing recursion.
enum SimulatedJSONValue: Equatable {
    case object([String: SimulatedJSONValue])
    case array([SimulatedJSONValue])
    case string(String)
    /// The number token's text; no simulated method takes a JSON number.
    case number(String)
    case bool(Bool)
    case null
    /// A container nested deeper than `maxDepth`, left undecoded.
    case tooDeep

    /// Containers deeper than this are not decoded.
    static let maxDepth = 4

    /// Decodes the value in `range` of `bytes`; nil when it is not one JSON value.
    static func decode(_ bytes: [UInt8], range: Range<Int>) -> SimulatedJSONValue? {
        bytes.withUnsafeBytes { buffer in
            guard range.lowerBound >= 0, range.upperBound <= buffer.count else { return nil }
            return decode(buffer, range: range, depth: 0)
        }
    }

    /// Decodes the one value `range` holds (whitespace around it allowed); nil for anything else.
    private static func decode(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, depth: Int) -> SimulatedJSONValue? {
        var cursor = JSONCursor(bytes, range: range)
        cursor.skipWhitespace()
        guard let value = decodeValue(bytes, &cursor, depth: depth) else { return nil }
        cursor.skipWhitespace()
        return cursor.isAtEnd ? value : nil
    }

    private static func decodeValue(_ bytes: UnsafeRawBufferPointer, _ cursor: inout JSONCursor, depth: Int) -> SimulatedJSONValue? {
        let start = cursor.position
        switch cursor.peek() {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { return (try? cursor.scanValue()) == nil ? nil : .tooDeep }
            var members: [String: SimulatedJSONValue] = [:]
            var valid = true
            do {
                try cursor.scanObject { key, _, value, _ in
                    guard let name = JSONRPCScanner.decodeString(bytes, token: key),
                          let decoded = decode(bytes, range: value, depth: depth + 1)
                    else {
                        valid = false
                        return
                    }
                    members[name] = decoded
                }
            } catch {
                return nil
            }
            return valid ? .object(members) : nil
        case UInt8(ascii: "["):
            guard depth < maxDepth else { return (try? cursor.scanValue()) == nil ? nil : .tooDeep }
            var elements: [SimulatedJSONValue] = []
            var valid = true
            do {
                try cursor.scanArray { element in
                    guard let decoded = decode(bytes, range: element, depth: depth + 1) else {
                        valid = false
                        return
                    }
                    elements.append(decoded)
                }
            } catch {
                return nil
            }
            return valid ? .array(elements) : nil
        default:
            guard let kind = try? cursor.scanValue() else { return nil }
            let token = start..<cursor.position
            switch kind {
            case .string: return JSONRPCScanner.decodeString(bytes, token: token).map { .string($0) }
            case .number: return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[token]), as: UTF8.self))
            case .bool: return .bool(bytes[start] == UInt8(ascii: "t"))
            case .null: return .null
            case .object, .array: return nil
            }
        }
    }

    /// The text of a string value.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A short name of the value's JSON type, for error messages.
    var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .null: "null"
        case .tooDeep: "nested value"
        }
    }
}
