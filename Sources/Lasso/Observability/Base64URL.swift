/// Base64 with the URL- and header-safe alphabet of RFC 4648 §5 (`-` and `_` for `+` and `/`)
/// and no `=` padding, as used for `X-Lasso-Meta`: the value can go in a header, a URL or a
/// cookie unchanged. Decoders that want padding can add `=` up to a multiple of four.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Length of the encoding of `byteCount` bytes, without encoding them.
    public static func encodedLength(of byteCount: Int) -> Int {
        byteCount / 3 * 4 + [0, 2, 3][byteCount % 3]
    }

    /// The unpadded base64url encoding of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity(encodedLength(of: bytes.count))
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(alphabet[Int(chunk >> 6 & 0x3F)])
            output.append(alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            let second = remaining == 2 ? UInt32(bytes[index + 1]) : 0
            let chunk = UInt32(bytes[index]) << 16 | second << 8
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            if remaining == 2 { output.append(alphabet[Int(chunk >> 6 & 0x3F)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
