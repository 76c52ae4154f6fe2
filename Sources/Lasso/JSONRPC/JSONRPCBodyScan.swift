/// The verdict on a request body, and what the hot path needs to route it.
public enum JSONRPCBodyScan: Sendable, Equatable {
    /// One valid request.
    case request(JSONRPCRequestHead)
    /// A top-level array: the byte range of each element, in order, each to be scanned with
    /// `JSONRPCScanner.scanRequest(_:in:)`. Empty for `[]`, which the caller answers with -32600.
    case batch([Range<Int>])
    /// Valid JSON but not a valid request: answer -32600.
    case invalid(JSONRPCInvalidRequest)
    /// Not JSON at all: answer -32700 with a null id.
    case parseError
}
