import Glibc

/// The client side of RFC 6455 framing, as little as a load generator needs: the upgrade
/// request, masked frames out (text, pong), unmasked frames in. No extensions are offered, so
/// none can be negotiated; server messages are single frames or continuations of one.
///
/// Why not `LassoTransport`'s framing: it is internal to the transport and bound to its loop,
/// and the load generator runs thousands of plain sockets on one epoll thread.
enum WebSocketClientFrames {
    /// One frame header read from the start of a buffer.
    struct Header {
        let fin: Bool
        let opcode: UInt8
        let headerLength: Int
        let payloadLength: Int
    }

    static let text: UInt8 = 0x1
    static let continuation: UInt8 = 0x0
    static let close: UInt8 = 0x8
    static let ping: UInt8 = 0x9
    static let pong: UInt8 = 0xA

    /// `GET path` asking to upgrade; the key is fixed (the server's answer is not checked beyond
    /// its status: the peer is lassod, on loopback).
    static func upgradeRequest(path: String, port: Int) -> [UInt8] {
        Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
    }

    /// A final frame of `opcode` carrying `payload`, masked as a client must (the key need not
    /// be unpredictable here: there is no proxy cache to poison on loopback).
    static func masked(_ opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        var frame: [UInt8] = [0x80 | opcode]
        frame.reserveCapacity(payload.count + 14)
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
        }
        frame += key
        for (index, byte) in payload.enumerated() { frame.append(byte ^ key[index & 3]) }
        return frame
    }

    /// The header of the unmasked server frame at the start of `bytes`, or nil while incomplete
    /// (header or payload).
    static func header(_ bytes: UnsafeRawBufferPointer) -> Header? {
        guard bytes.count >= 2 else { return nil }
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(bytes[$1]) }
            offset = 10
        }
        guard bytes.count >= offset + length else { return nil }
        return Header(fin: bytes[0] & 0x80 != 0, opcode: bytes[0] & 0x0F, headerLength: offset, payloadLength: length)
    }
}
