import CLassoShim
import CLibWebSockets

/// One accepted WebSocket connection: reassembles incoming fragments, queues outgoing messages
/// (bounded), and carries close codes both ways.
///
/// Threading: loop thread only.
final class WebSocketServerConnection: LoopSession {
    var id: UInt = 0
    private let server: HTTPServerState
    private let wsi: OpaquePointer
    private var incoming: [UInt8] = []
    private var incomingIsBinary = false
    private var inMessage = false
    private var outgoing = WebSocketOutbox()
    /// Set once the server decided to close; queued messages before it are still sent.
    private var closeCode: WebSocketCloseCode?
    private var peerCloseCode: WebSocketCloseCode?
    private var closed = false

    init(server: HTTPServerState, wsi: OpaquePointer) {
        self.server = server
        self.wsi = wsi
    }

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_RECEIVE:
            return receive(input, length)
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return writeNext()
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if let input, length >= 2 {
                let bytes = input.assumingMemoryBound(to: UInt8.self)
                peerCloseCode = WebSocketCloseCode(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            } else {
                peerCloseCode = .noStatus
            }
            return 0
        case LWS_CALLBACK_CLOSED, LWS_CALLBACK_WSI_DESTROY:
            finish()
            return 0
        default:
            return lws_callback_http_dummy(wsi, reason, nil, input, length)
        }
    }

    private func receive(_ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        if !inMessage {
            inMessage = true
            incomingIsBinary = lws_frame_is_binary(wsi) != 0
            incoming.removeAll(keepingCapacity: true)
        }
        if incoming.count + length > server.configuration.webSocketMaxMessageBytes {
            closeCode = .messageTooBig
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, nil, 0)
            return -1
        }
        if let input, length > 0 { incoming.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length)) }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return 0 }
        inMessage = false
        let message = WebSocketMessage(isBinary: incomingIsBinary, bytes: incoming)
        incoming = []
        // Handed on after this callback, not inside it: a handler that starts an upstream
        // request from here (the HTTP client connects inline on the loop thread) makes lws 4.1
        // drop the other frames of the same read, so pipelined requests went unanswered.
        guard let handlers = server.webSocket else { return 0 }
        let connection = WebSocketConnectionID(rawValue: id)
        _ = server.core.submit { handlers.onMessage(connection, message) }
        return 0
    }

    /// Queues `message`; a connection whose queue would exceed the cap is closed with 1008.
    func send(_ message: WebSocketMessage) {
        guard closeCode == nil, !closed else { return }
        if outgoing.queuedBytes + message.bytes.count > server.configuration.webSocketMaxQueuedBytes {
            requestClose(.policyViolation)
            return
        }
        outgoing.append(message)
        lws_callback_on_writable(wsi)
    }

    /// Closes after what is already queued, except for 1008/1009 where the queue is the problem.
    func requestClose(_ code: WebSocketCloseCode) {
        guard closeCode == nil, !closed else { return }
        closeCode = code
        if code == .policyViolation || code == .messageTooBig {
            outgoing.removeAll()
            // A peer that stopped reading may never make the socket writable for the close
            // frame: drop the connection if the frame cannot leave within a second.
            lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, 1)
        }
        lws_callback_on_writable(wsi)
    }

    /// The listener is going away: report 1001 to the handler when lws closes us.
    func serverStopping() {
        if closeCode == nil { closeCode = .goingAway }
    }

    private func writeNext() -> Int32 {
        if let message = outgoing.popFirst() {
            guard server.core.write(message, on: wsi) else { return -1 }
            if !outgoing.isEmpty || closeCode != nil { lws_callback_on_writable(wsi) }
            return 0
        }
        if let closeCode {
            lws_close_reason(wsi, lws_close_status(rawValue: UInt32(closeCode.rawValue)), nil, 0)
            return -1
        }
        return 0
    }

    private func finish() {
        guard !closed else { return }
        closed = true
        lws_set_opaque_user_data(wsi, nil)
        server.webSocketClosed(self, code: peerCloseCode ?? closeCode ?? .abnormal)
    }
}
