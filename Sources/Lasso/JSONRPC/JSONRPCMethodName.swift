/// What lassod accepts as a JSON-RPC method name, and how it shows one it repeats.
///
/// A method name comes from the client and is repeated in replies, log lines and metrics, so
/// one client could make each of those as large as its request. Two rules bound that:
///
/// - **Refused before routing** (-32601, no upstream call): an empty name, one longer than
///   `maxBytes` UTF-8 bytes (the longest standard name, `eth_getTransactionByBlockNumberAndIndex`,
///   has 39), or one with whitespace or control characters (no node serves such a name; they
///   only make log lines and error messages confusing).
/// - **Shown cut**: wherever lassod repeats a name, it repeats at most `maxBytes` bytes of it
///   followed by `…`, cut on a Unicode scalar boundary so the text stays valid UTF-8 and its
///   JSON escaping valid JSON.
///
/// ```swift
/// let fine = JSONRPCMethodName.problem("eth_chainId")                          // nil
/// let tooLong = JSONRPCMethodName.problem(String(repeating: "a", count: 200))  // "Method not found: a method name …"
/// let shown = JSONRPCMethodName.display(String(repeating: "a", count: 200))    // 128 × "a" + "…"
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum JSONRPCMethodName {
    /// The longest method name lassod routes, and the most of one it repeats, in UTF-8 bytes.
    public static let maxBytes = 128
    /// Marks a name shown cut.
    public static let ellipsis = "…"

    /// Why lassod refuses `method` without routing it, as the `-32601` message; `nil` when the
    /// name is acceptable.
    public static func problem(_ method: String) -> String? {
        let length = method.utf8.count
        if length == 0 { return "Method not found: the method name is empty" }
        if length > maxBytes {
            return "Method not found: a method name has at most \(maxBytes) bytes, this one has \(length)"
        }
        if method.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "Method not found: a method name cannot contain whitespace or control characters"
        }
        return nil
    }

    /// `method` as lassod repeats it: whole when it has at most `maxBytes` bytes, else its
    /// first `maxBytes` bytes (whole scalars only) followed by `ellipsis`.
    public static func display(_ method: String) -> String {
        guard method.utf8.count > maxBytes else { return method }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in method.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxBytes { break }
            kept.append(scalar)
        }
        return String(kept) + ellipsis
    }
}
