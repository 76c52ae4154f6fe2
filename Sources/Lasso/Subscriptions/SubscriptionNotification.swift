/// Reads and re-addresses upstream `eth_subscription` notifications without decoding their
/// `result`: one scan finds the `params.subscription` string, and each client's copy is the
/// same bytes with only that string replaced.
///
/// ```swift
/// let upstream = Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xab","result":{}}}"#.utf8)
/// guard let found = SubscriptionNotification.scan(upstream) else { return nil }   // id "0xab" and where it is
/// let readdressed = SubscriptionNotification.readdress(upstream, at: found.range, to: "0x01")
/// // {"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x01","result":{}}}
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum SubscriptionNotification {
    /// Where a notification's subscription id is.
    public struct Found: Sendable, Equatable {
        /// The subscription id, decoded.
        public var subscription: String
        /// The id's string token, quotes included.
        public var range: Range<Int>
        /// The `params.result` value, for continuity to read (`StreamEvent`); nil when absent.
        public var result: Range<Int>? = nil
        /// True when `params` carries an `error` instead of a result: the upstream ended the
        /// subscription, and the message must not reach clients as if it were an event.
        public var isError = false
    }

    /// The subscription id of an `eth_subscription` notification, with where its result is;
    /// nil for anything else (responses, other methods, invalid JSON, a non-string id).
    public static func scan(_ bytes: [UInt8]) -> Found? {
        bytes.withUnsafeBytes { buffer -> Found? in
            var cursor = JSONCursor(buffer, range: 0..<buffer.count)
            cursor.skipWhitespace()
            guard cursor.peek() == UInt8(ascii: "{") else { return nil }
            var isNotification = false
            var params: Range<Int>?
            do {
                try cursor.scanObject { key, _, value, kind in
                    if equals(buffer, key, #""method""#) {
                        isNotification = equals(buffer, value, #""eth_subscription""#)
                    } else if equals(buffer, key, #""params""#), kind == .object {
                        params = value
                    }
                }
            } catch {
                return nil
            }
            guard isNotification, let params else { return nil }
            var inner = JSONCursor(buffer, range: params)
            var token: Range<Int>?
            var result: Range<Int>?
            var isError = false
            do {
                try inner.scanObject { key, _, value, kind in
                    if kind == .string, equals(buffer, key, #""subscription""#) {
                        token = value
                    } else if equals(buffer, key, #""result""#) {
                        result = value
                    } else if kind != .null, equals(buffer, key, #""error""#) {
                        isError = true
                    }
                }
            } catch {
                return nil
            }
            guard let token, let id = JSONRPCScanner.decodeString(buffer, token: token) else { return nil }
            return Found(subscription: id, range: token, result: result, isError: isError)
        }
    }

    /// `bytes` with the string token at `range` replaced by `subscription` (a `0x…` id, which
    /// needs no escaping).
    public static func readdress(_ bytes: [UInt8], at range: Range<Int>, to subscription: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count - range.count + subscription.utf8.count + 2)
        output.append(contentsOf: bytes[..<range.lowerBound])
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: subscription.utf8)
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: bytes[range.upperBound...])
        return output
    }

    private static func equals(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString) -> Bool {
        JSONCursor.bytes(buffer, range, equal: text)
    }
}
