/// Turns the bytes of a WebSocket connection into messages and control events, enforcing
/// RFC 6455: masking by role, control-frame rules, fragmentation order, valid close codes,
/// UTF-8 text, and a cap on message size.
///
/// Only whole frames are consumed; the caller keeps the rest for the next read.
///
/// ```swift
/// var reader = WebSocketReader(expectMasked: true, maxMessageBytes: 1 << 20)
/// let used = buffer.withUnsafeBytes { bytes in
///     reader.read(bytes) { event in
///         if case .message(let message) = event { handle(message) }
///         return true   // keep going
///     }
/// }   // whole frames only: the rest waits for more bytes
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
struct WebSocketReader {
    /// What the peer sent.
    enum Event: Equatable {
        /// A complete text or binary message.
        case message(WebSocketMessage)
        /// A ping; answer with a pong carrying `payload`.
        case ping([UInt8])
        /// A pong.
        case pong
        /// The peer's close frame; `code` is nil when it carried none (1005).
        case close(WebSocketCloseCode?)
        /// The peer broke the protocol; close with this code.
        case violation(WebSocketCloseCode)
    }

    let expectMasked: Bool
    let maxMessageBytes: Int
    private var fragments: [UInt8] = []
    private var fragmentIsBinary: Bool?

    init(expectMasked: Bool, maxMessageBytes: Int) {
        self.expectMasked = expectMasked
        self.maxMessageBytes = maxMessageBytes
    }

    /// Reads every whole frame at the start of `bytes`, calling `emit` for each event; stops
    /// early when `emit` returns false or after a violation. Returns the bytes consumed.
    mutating func read(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) -> Bool) -> Int {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let header: WebSocketFrameHeader
            let headerLength: Int
            switch WebSocketFrameHeader.decode(rest, expectMasked: expectMasked, maxPayload: maxMessageBytes) {
            case .incomplete: return offset
            case .violation(let code):
                _ = emit(.violation(code))
                return bytes.count
            case .frame(let decoded, let length):
                header = decoded
                headerLength = length
            }
            guard rest.count >= headerLength + header.payloadLength else { return offset }
            var payload = [UInt8](UnsafeRawBufferPointer(rebasing: rest[headerLength..<(headerLength + header.payloadLength)]))
            if let mask = header.mask { payload.withUnsafeMutableBytes { WebSocketFrameHeader.unmask($0, with: mask) } }
            offset += headerLength + header.payloadLength
            guard let event = frame(header, payload) else { continue }
            if case .violation = event {
                _ = emit(event)
                return bytes.count
            }
            if !emit(event) { return offset }
        }
        return offset
    }

    /// The event one frame completes, if any.
    private mutating func frame(_ header: WebSocketFrameHeader, _ payload: [UInt8]) -> Event? {
        switch header.opcode {
        case .ping: return .ping(payload)
        case .pong: return .pong
        case .close: return Self.close(payload)
        case .text, .binary:
            guard fragmentIsBinary == nil else { return .violation(.protocolError) }
            if header.fin { return Self.message(isBinary: header.opcode == .binary, payload) }
            fragmentIsBinary = header.opcode == .binary
            fragments = payload
            return nil
        case .continuation:
            guard let isBinary = fragmentIsBinary else { return .violation(.protocolError) }
            guard fragments.count + payload.count <= maxMessageBytes else { return .violation(.messageTooBig) }
            fragments.append(contentsOf: payload)
            guard header.fin else { return nil }
            let whole = fragments
            fragments = []
            fragmentIsBinary = nil
            return Self.message(isBinary: isBinary, whole)
        }
    }

    private static func message(isBinary: Bool, _ payload: [UInt8]) -> Event {
        if !isBinary, String(validating: payload, as: UTF8.self) == nil { return .violation(.invalidPayload) }
        return .message(WebSocketMessage(isBinary: isBinary, bytes: payload))
    }

    private static func close(_ payload: [UInt8]) -> Event {
        if payload.isEmpty { return .close(nil) }
        guard payload.count >= 2 else { return .violation(.protocolError) }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard WebSocketCloseCode.isValidOnTheWire(code) else { return .violation(.protocolError) }
        guard String(validating: payload[2...], as: UTF8.self) != nil else { return .violation(.invalidPayload) }
        return .close(WebSocketCloseCode(rawValue: code))
    }
}
