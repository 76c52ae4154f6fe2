/// The `params_digest` of a request: `sha256:<64 lowercase hex digits>` of the raw `params`
/// bytes exactly as the client sent them.
///
/// Raw params can hold addresses, signed transactions or calldata a client would not want in a
/// log; the digest still lets an operator tell "the same call repeated" from "different calls"
/// and match a client's report against the log. It is of the bytes, not of a canonical JSON
/// form, so `[1, 2]` and `[1,2]` digest differently — canonicalising would need a full decode.
///
/// ```swift
/// ParamsDigest.digest(of: Array("[]".utf8))   // "sha256:4f53cda1…"
/// ```
public enum ParamsDigest {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The digest of `params`, as logged.
    public static func digest(of params: UnsafeRawBufferPointer) -> String {
        format(SHA256.hash(params))
    }

    /// The digest of `params`, as logged.
    public static func digest(of params: some Sequence<UInt8>) -> String {
        format(SHA256.hash(params))
    }

    /// `sha256:` followed by `hash` in lowercase hex.
    static func format(_ hash: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity(7 + hash.count * 2)
        text.append(contentsOf: "sha256:".utf8)
        for byte in hash {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
