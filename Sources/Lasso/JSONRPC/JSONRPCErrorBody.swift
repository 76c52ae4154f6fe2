/// Builds the bytes of a JSON-RPC error response that lassod itself produces.
///
/// ```swift
/// JSONRPCErrorBody.make(id: Array("7".utf8), code: JSONRPCErrorBody.methodNotFound, message: "eth_sign is disabled")
/// // {"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"eth_sign is disabled"}}
/// ```
public enum JSONRPCErrorBody {
    /// The body is not JSON.
    public static let parseError = -32700
    /// The JSON is not a valid request (including an empty batch).
    public static let invalidRequest = -32600
    /// The method does not exist or is disabled (write methods on a read-only chain).
    public static let methodNotFound = -32601
    /// Invalid method parameters.
    public static let invalidParams = -32602
    /// Internal JSON-RPC error.
    public static let internalError = -32603
    /// Implementation-defined server error; lassod uses it when every provider failed.
    public static let serverError = -32000
    /// A limit was exceeded; lassod uses it for its own per-connection and per-chain limits.
    public static let limitExceeded = -32005

    /// An error response echoing `id`, the raw bytes of the client's id value exactly as sent.
    public static func make(id: some Sequence<UInt8>, code: Int, message: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64 + message.utf8.count)
        output.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        output.append(contentsOf: id)
        output.append(contentsOf: #","error":{"code":"#.utf8)
        output.append(contentsOf: String(code).utf8)
        output.append(contentsOf: #","message":"#.utf8)
        appendString(message, to: &output)
        output.append(contentsOf: "}}".utf8)
        return output
    }

    /// An error response with `"id":null`, for bodies whose id could not be determined.
    public static func make(code: Int, message: String) -> [UInt8] {
        make(id: "null".utf8, code: code, message: message)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string token: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    public static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
