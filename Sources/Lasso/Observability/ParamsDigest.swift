/// The `params_digest` of a request: `sha256:<64 lowercase hex digits>` of the raw `params`
/// bytes exactly as the client sent them.
///
/// Raw params can hold addresses, signed transactions or calldata a client would not want in a
/// log; the digest still lets an operator tell "the same call repeated" from "different calls"
/// and match a client's report against the log. It is of the bytes, not of a canonical JSON
/// form, so `[1, 2]` and `[1,2]` digest differently — canonicalising would need a full decode.
///
/// ```swift
/// let params = ParamsDigest.digest(of: Array("[]".utf8))   // "sha256:4f53cda1…"
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum ParamsDigest {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The digest of `params`, as logged. Allocates only the returned string.
    public static func digest(of params: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SHA256.digestBytes) { hash in
            guard let hashStart = hash.baseAddress else { return "" }
            SHA256.hash(params, into: hashStart)
            return format(UnsafeBufferPointer(hash))
        }
    }

    /// The digest of `params`, as logged.
    public static func digest(of params: some Sequence<UInt8>) -> String {
        SHA256.hash(params).withUnsafeBufferPointer(format)
    }

    /// `sha256:` followed by `hash` in lowercase hex.
    static func format(_ hash: UnsafeBufferPointer<UInt8>) -> String {
        let prefix: StaticString = "sha256:"
        return String(unsafeUninitializedCapacity: prefix.utf8CodeUnitCount + hash.count * 2) { text in
            var position = 0
            for index in 0..<prefix.utf8CodeUnitCount {
                text[position] = prefix.utf8Start[index]
                position += 1
            }
            for byte in hash {
                text[position] = hexDigits[Int(byte >> 4)]
                text[position + 1] = hexDigits[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
