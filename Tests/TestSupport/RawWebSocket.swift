import Foundation

/// WebSocket frames over a `RawSocket`, client side: for frames no real client would send, and
/// for a client that upgrades and then behaves badly (never reads, sends garbage).
extension RawSocket {
    /// Sends the opening handshake for `path` and reads the reply's head (a byte at a time, so
    /// that no frame after it is taken from the kernel); true on `101 Switching Protocols`.
    public func upgrade(path: String = "/ws") -> Bool {
        send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        return readHead()?.hasPrefix("HTTP/1.1 101 ") == true
    }

    /// A masked client frame.
    public static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        let mask: [UInt8] = [1, 2, 3, 4]
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return out
    }

    /// Sends `text` as one masked text frame.
    @discardableResult
    public func sendText(_ text: String) -> Bool {
        send(Self.frame(opcode: 0x1, payload: Array(text.utf8)))
    }

    /// Reads one frame (masked or not): its opcode and unmasked payload; nil on EOF or timeout.
    public func readFrame() -> (opcode: UInt8, payload: [UInt8])? {
        guard let head = receiveExactly(2) else { return nil }
        var length = Int(head[1] & 0x7F)
        if length == 126, let ext = receiveExactly(2) { length = Int(ext[0]) << 8 | Int(ext[1]) }
        if length == 127, let ext = receiveExactly(8) { length = ext.reduce(0) { $0 << 8 | Int($1) } }
        let mask = head[1] & 0x80 != 0 ? receiveExactly(4) : nil
        guard var payload = receiveExactly(length) else { return nil }
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
        return (head[0] & 0x0F, payload)
    }

    /// Reads frames until a close frame (returns its code, 1005 when it has none) or EOF (nil).
    public func readCloseCode() -> UInt16? {
        while let (opcode, payload) = readFrame() {
            if opcode == 0x8 { return payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005 }
        }
        return nil
    }
}

extension RawSocket {
    /// Reads one whole message, joining continuation frames: its opcode (that of the first
    /// frame) and payload; pings and pongs in between are skipped; nil on EOF or timeout.
    public func readMessage() -> (opcode: UInt8, payload: [UInt8])? {
        var opcode: UInt8?
        var payload: [UInt8] = []
        while let head = receiveExactly(2) {
            var length = Int(head[1] & 0x7F)
            if length == 126, let ext = receiveExactly(2) { length = Int(ext[0]) << 8 | Int(ext[1]) }
            if length == 127, let ext = receiveExactly(8) { length = ext.reduce(0) { $0 << 8 | Int($1) } }
            let mask = head[1] & 0x80 != 0 ? receiveExactly(4) : nil
            guard var part = receiveExactly(length) else { return nil }
            if let mask { part = part.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
            let frameOpcode = head[0] & 0x0F
            if frameOpcode == 0x9 || frameOpcode == 0xA { continue }
            if opcode == nil { opcode = frameOpcode }
            payload += part
            if head[0] & 0x80 != 0, let opcode { return (opcode, payload) }
        }
        return nil
    }
}
