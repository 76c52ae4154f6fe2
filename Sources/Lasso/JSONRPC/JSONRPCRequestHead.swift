/// What routing needs from one valid JSON-RPC request, found without decoding the rest.
///
/// Ranges are byte offsets into the scanned buffer, so the proxy can forward the body as is and
/// echo the client's `id` exactly as sent (`1`, `"a"`, `1.0e3` or `null`).
public struct JSONRPCRequestHead: Sendable, Equatable {
    /// The `id` value's bytes; nil when the member is absent, which makes this a notification.
    public var id: Range<Int>?
    /// The decoded method name.
    public var method: String
    /// The `params` value's bytes (an array or object); nil when absent or `null`.
    public var params: Range<Int>?

    /// Creates a request head.
    public init(id: Range<Int>?, method: String, params: Range<Int>?) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// A notification gets no response body.
    public var isNotification: Bool { id == nil }
}
