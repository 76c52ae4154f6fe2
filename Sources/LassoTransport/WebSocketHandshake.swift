import CLibWebSockets
import Foundation

/// The HTTP side of opening a WebSocket (RFC 6455 §4): keys, the server's answer, the
/// client's check of that answer. Public for test peers that speak WebSocket by hand.
///
/// ```swift
/// let accept = WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==")   // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", RFC 6455's example
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public enum WebSocketHandshake {
    private static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
    public static func acceptValue(for key: String) -> String {
        let input = Array((key + guid).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = input.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha1(), nil)
        }
        return Data(digest.prefix(Int(length))).base64EncodedString()
    }

    /// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
    static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
    }

    /// True when `key` is base64 of exactly 16 bytes, as a client must send.
    static func isValidKey(_ key: String) -> Bool {
        Data(base64Encoded: key)?.count == 16
    }

    /// The server's `101 Switching Protocols` head for `key`.
    static func serverResponse(key: String) -> [UInt8] {
        Array(("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
               + "sec-websocket-accept: \(acceptValue(for: key))\r\n\r\n").utf8)
    }

    /// The client's opening request for `url` with `key`.
    static func clientRequest(url: UpstreamURL, key: String) -> [UInt8] {
        Array(("GET \(url.pathAndQuery) HTTP/1.1\r\nhost: \(url.hostHeader)\r\nupgrade: websocket\r\n"
               + "connection: Upgrade\r\nsec-websocket-key: \(key)\r\nsec-websocket-version: 13\r\n\r\n").utf8)
    }

    /// Whether the server's answer completes the handshake for `key`.
    static func accepts(_ head: HTTPResponseHead, key: String) -> Bool {
        head.status == 101
            && head.fields.contains(token: "websocket", in: "upgrade")
            && head.fields.contains(token: "upgrade", in: "connection")
            && head.fields["sec-websocket-accept"] == acceptValue(for: key)
    }
}
