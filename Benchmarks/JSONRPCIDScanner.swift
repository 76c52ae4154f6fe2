/// Finds the raw bytes of a JSON-RPC request's top-level `"id"` value without decoding it, the
/// way a node echoes the id: `{"jsonrpc":"2.0","method":"m","params":[{"id":9}],"id":"a\"b"}`
/// gives the range of `"a\"b"` (quotes and escapes kept, so the bytes can be copied into the
/// answer as they are), not the `9` nested in `params`.
///
/// Values are skipped structurally: strings with their escapes, nested objects and arrays by
/// depth. It is a scanner, not a validator: on input that is not an object, or that ends early,
/// it answers nil, and the caller answers `"id":null` as a node would for an unreadable id.
enum JSONRPCIDScanner {
    static func topLevelID(in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        var index = skipWhitespace(bytes, 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        while true {
            index = skipWhitespace(bytes, index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let keyStart = index + 1
            guard let keyEnd = endOfString(bytes, index) else { return nil }
            let isID = keyEnd - keyStart == 3 && bytes[keyStart] == UInt8(ascii: "i") && bytes[keyStart + 1] == UInt8(ascii: "d")
            index = skipWhitespace(bytes, keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipWhitespace(bytes, index + 1)
            guard let valueEnd = endOfValue(bytes, valueStart) else { return nil }
            if isID { return valueStart..<valueEnd }
            index = skipWhitespace(bytes, valueEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    /// The index just past the closing quote of the string opening at `quote`.
    private static func endOfString(_ bytes: UnsafeRawBufferPointer, _ quote: Int) -> Int? {
        var index = quote + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index just past the value starting at `start`: a string, an object or array (by
    /// depth, strings skipped whole), or a number or literal (up to a delimiter).
    private static func endOfValue(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = endOfString(bytes, index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "),
                     UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    return index > start ? index : nil
                default: index += 1
                }
            }
            return nil
        }
    }

    private static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): index += 1
            default: return index
            }
        }
        return index
    }
}
