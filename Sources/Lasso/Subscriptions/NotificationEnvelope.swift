/// Writes the `eth_subscription` messages lassod sends its clients, around a `result` that is
/// passed on byte for byte (live, backfilled or retracted).
///
/// Every message of a key is written once and then addressed to each client by patching the
/// subscription id (`SubscriptionNotification.readdress`), so clients of one key receive the
/// same bytes.
///
/// ```swift
/// let notification = NotificationEnvelope.wrap(result: Array(#"{"number":"0x1"}"#.utf8), subscription: "0x01")
/// // {"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{"number":"0x1"}}}
/// let retracted = NotificationEnvelope.markRemoved(Array(#"{"logIndex":"0x0","removed":false}"#.utf8))
/// // {"logIndex":"0x0","removed":true}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum NotificationEnvelope {
    /// The notification carrying `result` for `subscription` (a `0x…` id, which needs no escaping).
    public static func wrap(result: some Collection<UInt8>, subscription: String) -> [UInt8] {
        var writer = JSONWriter(capacity: result.count + 96)
        writer.beginObject()
        writer.string("jsonrpc", "2.0")
        writer.string("method", "eth_subscription")
        writer.beginObject("params")
        writer.string("subscription", subscription)
        writer.raw("result", result)
        writer.endObject()
        writer.endObject()
        return writer.finish()
    }

    /// The log object `log` with `"removed":true`, as geth retracts a log after a reorg: the
    /// member's value is replaced where it is, or the member is added at the end. Nil when
    /// `log` is not a JSON object.
    public static func markRemoved(_ log: [UInt8]) -> [UInt8]? {
        log.withUnsafeBytes { bytes -> [UInt8]? in
            var cursor = JSONCursor(bytes, range: 0..<bytes.count)
            cursor.skipWhitespace()
            guard cursor.peek() == UInt8(ascii: "{") else { return nil }
            var removed: Range<Int>?
            var members = 0
            do {
                try cursor.scanObject { key, _, value, _ in
                    members += 1
                    if JSONCursor.bytes(bytes, key, equal: #""removed""#) { removed = value }
                }
            } catch {
                return nil
            }
            let end = cursor.position
            if let removed {
                return Array(log[..<removed.lowerBound]) + Array("true".utf8) + Array(log[removed.upperBound...])
            }
            // The closing brace is the last byte the scan consumed.
            let closing = end - 1
            return Array(log[..<closing]) + Array((members > 0 ? #","removed":true"# : #""removed":true"#).utf8)
                + Array(log[closing...])
        }
    }
}
