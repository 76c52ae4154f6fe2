/// The header of one WebSocket frame, decoded and checked against RFC 6455 §5.2.
///
/// ```swift
/// // A masked text frame "hi" from a client:
/// let frame: [UInt8] = [0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2]
/// let decoded = frame.withUnsafeBytes { WebSocketFrameHeader.decode($0, expectMasked: true, maxPayload: 1024) }
/// // .frame(WebSocketFrameHeader(fin: true, opcode: .text, mask: (1, 2, 3, 4), payloadLength: 2), headerLength: 6)
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct WebSocketFrameHeader: Equatable {
    var fin: Bool
    var opcode: WebSocketOpcode
    /// The masking key, when the frame is masked.
    var mask: (UInt8, UInt8, UInt8, UInt8)?
    var payloadLength: Int

    static func == (lhs: WebSocketFrameHeader, rhs: WebSocketFrameHeader) -> Bool {
        lhs.fin == rhs.fin && lhs.opcode == rhs.opcode && lhs.payloadLength == rhs.payloadLength
            && lhs.mask.map { [$0.0, $0.1, $0.2, $0.3] } == rhs.mask.map { [$0.0, $0.1, $0.2, $0.3] }
    }

    /// What the start of a buffer holds.
    enum Decoded: Equatable {
        /// Not enough bytes for the header yet.
        case incomplete
        /// A valid header of `headerLength` bytes.
        case frame(WebSocketFrameHeader, headerLength: Int)
        /// A protocol violation; close with this code.
        case violation(WebSocketCloseCode)
    }

    /// Decodes the header at the start of `bytes`. A server expects masked frames, a client
    /// unmasked ones (RFC 6455 §5.1); either mismatch is a protocol error.
    static func decode(_ bytes: UnsafeRawBufferPointer, expectMasked: Bool, maxPayload: Int) -> Decoded {
        guard bytes.count >= 2 else { return .incomplete }
        let first = bytes[0], second = bytes[1]
        // RSV1–3 are only for negotiated extensions, and none is negotiated.
        guard first & 0x70 == 0, let opcode = WebSocketOpcode(rawValue: first & 0x0F) else { return .violation(.protocolError) }
        let fin = first & 0x80 != 0
        let masked = second & 0x80 != 0
        guard masked == expectMasked else { return .violation(.protocolError) }
        var length = Int(second & 0x7F)
        var offset = 2
        if opcode.isControl, !fin || length > 125 { return .violation(.protocolError) }
        if length == 126 {
            guard bytes.count >= 4 else { return .incomplete }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            guard length >= 126 else { return .violation(.protocolError) }
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return .incomplete }
            guard bytes[2] & 0x80 == 0 else { return .violation(.protocolError) }
            var value: UInt64 = 0
            for index in 2..<10 { value = value << 8 | UInt64(bytes[index]) }
            guard value > 0xFFFF else { return .violation(.protocolError) }
            guard value <= UInt64(maxPayload) else { return .violation(.messageTooBig) }
            length = Int(value)
            offset = 10
        }
        guard length <= maxPayload else { return .violation(.messageTooBig) }
        var mask: (UInt8, UInt8, UInt8, UInt8)?
        if masked {
            guard bytes.count >= offset + 4 else { return .incomplete }
            mask = (bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])
            offset += 4
        }
        return .frame(WebSocketFrameHeader(fin: fin, opcode: opcode, mask: mask, payloadLength: length), headerLength: offset)
    }

    /// The bytes of a complete frame carrying `payload`; masked with `mask` when given (clients).
    static func encode(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, fin: Bool = true,
                       mask: (UInt8, UInt8, UInt8, UInt8)? = nil) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 14)
        frame.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame.append(maskBit | 126)
            frame.append(UInt8(payload.count >> 8))
            frame.append(UInt8(payload.count & 0xFF))
        } else {
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF)) }
        }
        if let mask {
            let key = [mask.0, mask.1, mask.2, mask.3]
            frame.append(contentsOf: key)
            let start = frame.count
            frame.append(contentsOf: payload)
            for index in 0..<payload.count { frame[start + index] ^= key[index & 3] }
        } else {
            frame.append(contentsOf: payload)
        }
        return frame
    }

    /// Unmasks `payload` in place.
    static func unmask(_ payload: UnsafeMutableRawBufferPointer, with mask: (UInt8, UInt8, UInt8, UInt8)) {
        let key = [mask.0, mask.1, mask.2, mask.3]
        for index in 0..<payload.count { payload[index] ^= key[index & 3] }
    }
}
