/// Valid JSON that is not a valid JSON-RPC 2.0 request: the caller answers -32600.
public struct JSONRPCInvalidRequest: Sendable, Equatable {
    /// Which rule the request broke.
    public enum Reason: Sendable, Equatable {
        /// The value is not an object (a number, string, literal, or an array inside a batch).
        case notAnObject
        /// `jsonrpc` is absent or not the string `"2.0"`.
        case wrongVersion
        /// `method` is absent.
        case missingMethod
        /// `method` is not a string.
        case methodNotString
        /// `id` is an object, array or boolean.
        case invalidID
        /// `params` is neither an array nor an object.
        case invalidParams
        /// `id`, `method`, `params` or `jsonrpc` appears twice; parsers disagree on which one
        /// wins, so forwarding it would let a client show lassod one request and a provider another.
        case duplicateMember
    }

    /// The broken rule.
    public var reason: Reason
    /// The request's `id` bytes when the id itself was valid, so the error can echo it.
    public var id: Range<Int>?

    /// Creates an invalid-request verdict.
    public init(reason: Reason, id: Range<Int>?) {
        self.reason = reason
        self.id = id
    }

    /// The text for the JSON-RPC error message.
    public var message: String {
        switch reason {
        case .notAnObject: "Invalid Request: expected a JSON object"
        case .wrongVersion: "Invalid Request: jsonrpc must be \"2.0\""
        case .missingMethod: "Invalid Request: missing method"
        case .methodNotString: "Invalid Request: method must be a string"
        case .invalidID: "Invalid Request: id must be a string, number or null"
        case .invalidParams: "Invalid Request: params must be an array or object"
        case .duplicateMember: "Invalid Request: duplicate member"
        }
    }
}
