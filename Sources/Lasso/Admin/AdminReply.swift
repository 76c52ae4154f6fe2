import Foundation

/// The reply half of the admin protocol: exactly one line per request,
/// `{"ok":true,"result":…}` or `{"ok":false,"error":"…"}`.
///
/// Results are encoded with `JSONEncoder` and sorted keys, so the same state always gives the
/// same bytes (diffable, testable); slashes are left unescaped so tree paths read as typed.
public enum AdminReply {
    /// The success line for `result`, newline included.
    public static func success<Result: Encodable>(_ result: Result) throws -> [UInt8] {
        let encoded = try encode(result)
        var json = JSONWriter(capacity: 32 + encoded.count)
        json.beginObject()
        json.bool("ok", true)
        json.raw("result", encoded)
        json.endObject()
        return json.finishLine()
    }

    /// `result` as the reply's `result` member carries it (sorted keys, slashes unescaped); the
    /// dashboard embeds admin results with it, so both show the same bytes.
    public static func encode<Result: Encodable>(_ result: Result) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(result)
    }

    /// The error line carrying `message`, newline included.
    public static func failure(_ message: String) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + message.utf8.count)
        json.beginObject()
        json.bool("ok", false)
        json.string("error", message)
        json.endObject()
        return json.finishLine()
    }

    /// A reply line as `lassod ctl` reads it.
    public enum Decoded: Sendable, Equatable {
        /// `ok: true`; the raw JSON of `result`, for decoding into the command's result type.
        case success(Data)
        /// `ok: false` with its message.
        case failure(String)
    }

    /// Reads a reply line; nil when it is not a reply at all.
    public static func decode(_ line: [UInt8]) -> Decoded? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]),
              let fields = object as? [String: Any], let ok = fields["ok"] as? Bool else { return nil }
        guard ok else { return (fields["error"] as? String).map(Decoded.failure) }
        guard let result = fields["result"],
              let data = try? JSONSerialization.data(withJSONObject: result, options: [.fragmentsAllowed]) else { return nil }
        return .success(data)
    }
}
