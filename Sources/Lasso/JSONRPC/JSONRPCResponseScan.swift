/// The top-level members of an upstream JSON-RPC response that error classification and id
/// splicing need, found without decoding `result`.
///
/// Ranges are byte offsets into the scanned buffer.
public struct JSONRPCResponseScan: Sendable, Equatable {
    /// The `id` value's bytes, when present.
    public var id: Range<Int>?
    /// The `result` value's bytes, when present.
    public var result: Range<Int>?
    /// The `error` value's bytes, when present and not `null` (some upstreams send `"error": null`
    /// beside a result).
    public var error: Range<Int>?
    /// `error.code` when it is an integer that fits in `Int`.
    public var errorCode: Int?
    /// The `error.message` string token, quotes included; decode with `JSONRPCScanner.decodeString`.
    public var errorMessage: Range<Int>?
    /// Offset of the response object's opening brace, where a missing id is inserted.
    var objectStart: Int
    /// Whether the response object has any member, which decides the comma after an inserted id.
    var hasMembers: Bool

    /// True when the response carries a top-level `error` that is not `null`.
    public var isError: Bool { error != nil }
}
