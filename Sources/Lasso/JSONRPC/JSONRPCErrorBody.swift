/// Builds the bytes of a JSON-RPC error response that lassod itself produces.
///
/// ```swift
/// let body = JSONRPCErrorBody.make(id: Array("7".utf8), code: JSONRPCErrorBody.methodNotFound, message: "eth_sign is disabled")
/// // {"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"eth_sign is disabled"}}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
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
    ///
    /// Written with `JSONWriter`, sized up front for the whole body, so a reply costs one
    /// buffer and one copy into the returned array; the message is escaped as every string
    /// lassod writes is.
    public static func make(id: some Collection<UInt8>, code: Int, message: String) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + id.count + message.utf8.count)
        json.beginObject()
        json.string("jsonrpc", "2.0")
        json.raw("id", id)
        json.beginObject("error")
        json.int("code", code)
        json.string("message", message)
        json.endObject()
        json.endObject()
        return json.finish()
    }

    /// An error response with `"id":null`, for bodies whose id could not be determined.
    public static func make(code: Int, message: String) -> [UInt8] {
        make(id: "null".utf8, code: code, message: message)
    }
}
