/// Writes the requests lassod makes itself (upstream subscriptions and backfills, the dashboard's
/// test load): one place that knows the envelope.
///
/// ```swift
/// let request = JSONRPCRequestBody.make("eth_subscribe", id: 0) { $0.raw("params", #"["newHeads"]"#.utf8) }
/// // {"jsonrpc":"2.0","id":0,"method":"eth_subscribe","params":["newHeads"]}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum JSONRPCRequestBody {
    /// A request for `method` with `id`, whose `params` member `params` writes.
    public static func make(_ method: String, id: Int, params: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(capacity: 128 + method.utf8.count)
        json.beginObject()
        json.string("jsonrpc", "2.0")
        json.int("id", id)
        json.string("method", method)
        params(&json)
        json.endObject()
        return json.finish()
    }
}
