/// One open WebSocket connection, after the handshake, on either side: frames in and out,
/// pings, the close handshake, and the bounds that keep one peer from costing others.
///
/// Guarantees:
/// - Messages reach `onMessage` complete and in order; nothing arrives after a close began.
/// - `onClosed` runs exactly once, saying who ended the connection and with which code.
/// - Unsent output is bounded by `maxQueuedBytes`: a peer that does not read is disconnected
///   (reported as 1008) instead of growing memory — pongs to its pings included.
/// - A close this side starts waits at most `closeTimeout` for the peer's answering close.
///
/// Threading: loop thread only.
final class WebSocketChannel: SocketHandler {
    /// Which end of the connection this is; clients mask what they send (RFC 6455 §5.3).
    enum Role { case server, client }

    /// How the connection ended.
    enum Ending: Equatable {
        /// The peer sent a close frame with this code (1005 when it carried none).
        case closedByPeer(WebSocketCloseCode)
        /// This side sent a close frame with this code (or dropped a peer that fell behind, 1008).
        case closedHere(WebSocketCloseCode)
        /// The connection dropped without a close frame (1006).
        case dropped

        /// The code to report: the peer's, else this side's, else 1006.
        var code: WebSocketCloseCode {
            switch self {
            case .closedByPeer(let code), .closedHere(let code): code
            case .dropped: .abnormal
            }
        }
    }

    struct Limits {
        var maxMessageBytes: Int
        var maxQueuedBytes: Int
        var closeTimeout: Duration = .seconds(1)
    }

    let socket: LoopSocket
    private let role: Role
    private let limits: Limits
    private var reader: WebSocketReader
    private var pending: [UInt8] = []
    /// Monotonic nanoseconds of the last frame of any kind, and of the last data frame.
    private(set) var lastFrame: UInt64
    private(set) var lastMessage: UInt64
    private var pingOutstanding = false
    private var sentClose: WebSocketCloseCode?
    private var receivedClose: WebSocketCloseCode?
    private var closeDeadline: UInt64 = 0
    private var finished = false
    private var onMessage: (WebSocketMessage) -> Void
    private var onClosed: (Ending) -> Void

    init(socket: LoopSocket, role: Role, limits: Limits, onMessage: @escaping (WebSocketMessage) -> Void,
         onClosed: @escaping (Ending) -> Void) {
        socket.core.assertOnLoop()
        self.socket = socket
        self.role = role
        self.limits = limits
        self.onMessage = onMessage
        self.onClosed = onClosed
        reader = WebSocketReader(expectMasked: role == .server, maxMessageBytes: limits.maxMessageBytes)
        lastFrame = LoopTimers.now()
        lastMessage = lastFrame
        socket.handler = self
    }

    /// True until a close began on either side.
    var isOpen: Bool {
        socket.core.assertOnLoop()
        return sentClose == nil && receivedClose == nil && socket.isOpen
    }

    /// Processes bytes that arrived together with the handshake.
    func start(leftover: [UInt8]) {
        socket.core.assertOnLoop()
        if !leftover.isEmpty { ingest(leftover) }
    }

    /// Sends `message`; false when the connection is closing or was just closed for falling
    /// too far behind.
    @discardableResult
    func send(_ message: WebSocketMessage) -> Bool {
        socket.core.assertOnLoop()
        guard isOpen else { return false }
        guard socket.pendingOutputBytes + message.bytes.count <= limits.maxQueuedBytes else {
            sentClose = .policyViolation
            drop()
            return false
        }
        message.bytes.withUnsafeBytes { writeFrame(message.isBinary ? .binary : .text, $0) }
        return true
    }

    /// Starts the close handshake with `code`.
    func close(_ code: WebSocketCloseCode) {
        socket.core.assertOnLoop()
        guard sentClose == nil, !finished else { return }
        sentClose = code
        if receivedClose != nil || socket.pendingOutputBytes > limits.maxQueuedBytes / 2 {
            // Nothing to wait for, or the close frame would sit behind a backlog the peer is
            // not reading.
            if receivedClose == nil { drop() } else { sendCloseFrame(code); socket.closeWhenFlushed() }
            return
        }
        sendCloseFrame(code)
        closeDeadline = LoopTimers.now() &+ LoopTimers.nanoseconds(limits.closeTimeout)
    }

    /// Sends a ping (idle checks).
    func ping() {
        socket.core.assertOnLoop()
        guard isOpen, !pingOutstanding else { return }
        pingOutstanding = true
        writeFrame(.ping, UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// Drops the connection without a handshake (the peer sees it end abruptly).
    func drop() {
        socket.core.assertOnLoop()
        socket.close()
    }

    /// Closes a connection whose close handshake ran out of time. Called by the owner's sweep.
    func checkCloseDeadline(_ now: UInt64) {
        socket.core.assertOnLoop()
        if closeDeadline != 0, now >= closeDeadline { drop() }
    }

    // MARK: Socket events

    func socketReadable(_ socket: LoopSocket) {
        let end = socket.readAvailable(while: { !finished }) { bytes in
            if pending.isEmpty {
                let used = consume(bytes)
                if used < bytes.count, socket.isOpen { pending.append(contentsOf: bytes[used...]) }
            } else {
                ingest(Array(bytes))
            }
        }
        if end == .endOfStream { socket.close() }
    }

    func socketClosed(_ socket: LoopSocket) {
        guard !finished else { return }
        finished = true
        pending = []
        if let receivedClose {
            onClosed(.closedByPeer(receivedClose))
        } else if let sentClose {
            onClosed(.closedHere(sentClose))
        } else {
            onClosed(.dropped)
        }
    }

    // MARK: Frames

    private func ingest(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
        let taken = pending
        pending = []
        let used = taken.withUnsafeBytes { consume($0) }
        if used < taken.count, socket.isOpen { pending = Array(taken[used...]) }
    }

    /// Handles every whole frame at the start of `bytes`; returns the bytes used.
    private func consume(_ bytes: UnsafeRawBufferPointer) -> Int {
        reader.read(bytes) { event in
            lastFrame = LoopTimers.now()
            pingOutstanding = false
            switch event {
            case .message(let message):
                lastMessage = lastFrame
                if isOpen { onMessage(message) }
            case .ping(let payload):
                guard isOpen else { break }
                // A peer that pings and never reads would queue pongs without end.
                guard socket.pendingOutputBytes + payload.count + 2 <= limits.maxQueuedBytes else {
                    sentClose = .policyViolation
                    drop()
                    return false
                }
                payload.withUnsafeBytes { writeFrame(.pong, $0) }
            case .pong:
                break
            case .close(let code):
                receivedClose = code ?? .noStatus
                if sentClose == nil {
                    // Echo the peer's code (RFC 6455 §5.5.1), then close once it is out.
                    sendCloseFrame(code ?? .normal)
                }
                socket.closeWhenFlushed()
                return false
            case .violation(let code):
                if sentClose == nil {
                    sentClose = code
                    sendCloseFrame(code)
                }
                socket.closeWhenFlushed()
                return false
            }
            return socket.isOpen && !finished
        }
    }

    private func sendCloseFrame(_ code: WebSocketCloseCode) {
        let payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        payload.withUnsafeBytes { writeFrame(.close, $0) }
    }

    private func writeFrame(_ opcode: WebSocketOpcode, _ payload: UnsafeRawBufferPointer) {
        var mask: (UInt8, UInt8, UInt8, UInt8)?
        if role == .client {
            var generator = SystemRandomNumberGenerator()
            let key = generator.next() as UInt32
            mask = (UInt8(key >> 24), UInt8((key >> 16) & 0xFF), UInt8((key >> 8) & 0xFF), UInt8(key & 0xFF))
        }
        socket.write(WebSocketFrameHeader.encode(opcode: opcode, payload: payload, mask: mask))
    }
}
