import CLassoShim
import CLibWebSockets

/// One admin client: splits its bytes into request lines and answers each with exactly one
/// reply line, in order.
///
/// Guarantees:
/// - Requests of one connection run one at a time, so replies leave in request order; other
///   connections are not held up (their commands run in their own tasks).
/// - A line longer than ``AdminRequest/maxLineBytes``, or more than ``maxQueuedRequests``
///   requests whose replies are not yet written, gets an error reply after the replies already
///   due; then the connection closes and nothing more is read.
/// - Replies are written only from `RAW_WRITEABLE`, one `lws_write` per callback.
/// - Blank lines are skipped (an operator pressing Enter in `nc -U`), and a trailing `\r` is
///   dropped.
///
/// Threading: loop thread only.
final class AdminConnection: LoopSession {
    /// Unanswered requests one connection may queue before it is cut off.
    static let maxQueuedRequests = 64

    private enum Pending {
        case request([UInt8])
        /// The client broke a limit: reply with this and close.
        case refusal(String)
    }

    var id: UInt = 0
    private let server: AdminServerState
    private let wsi: OpaquePointer
    private var partial: [UInt8] = []
    private var pending: [Pending] = []
    private var running = false
    private var outgoing: [[UInt8]] = []
    /// Set when a limit was broken: input is ignored, and the connection closes once the
    /// refusal is written.
    private var closing = false
    private var closed = false

    init(server: AdminServerState, wsi: OpaquePointer) {
        self.server = server
        self.wsi = wsi
    }

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_RAW_RX:
            if let input, length > 0 { receive(UnsafeRawBufferPointer(start: input, count: length)) }
            return 0
        case LWS_CALLBACK_RAW_WRITEABLE:
            return writeNext()
        case LWS_CALLBACK_RAW_CLOSE, LWS_CALLBACK_WSI_DESTROY:
            finish()
            return 0
        default:
            return 0
        }
    }

    /// A command's reply line.
    func deliver(_ reply: [UInt8]) {
        running = false
        queue(reply)
        pump()
    }

    /// The server is stopping: lws closes this connection on its next pass.
    func kill() {
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) {
        guard !closing else { return }
        var start = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? bytes.count
            if partial.count + (end - start) > AdminRequest.maxLineBytes {
                refuse("request line longer than \(AdminRequest.maxLineBytes) bytes; closing the connection")
                break
            }
            partial.append(contentsOf: bytes[start..<end])
            guard newline != nil else { break }
            start = end + 1
            var line = partial
            partial.removeAll(keepingCapacity: true)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            // Replies not yet written count too: a client that sends without reading is cut
            // off instead of growing the server's output queue.
            if pending.count + outgoing.count >= Self.maxQueuedRequests {
                refuse("more than \(Self.maxQueuedRequests) requests waiting for replies; closing the connection")
                break
            }
            pending.append(.request(line))
            pump()
        }
        pump()
    }

    private func refuse(_ message: String) {
        closing = true
        partial = []
        pending.append(.refusal(message))
    }

    /// Starts the next request unless one is running; requests that fail to parse are
    /// answered on the spot, in their turn.
    private func pump() {
        while !running, !pending.isEmpty {
            switch pending.removeFirst() {
            case .refusal(let message):
                queue(AdminReply.failure(message))
                pending.removeAll()
            case .request(let line):
                switch AdminRequest.parse(line) {
                case .failure(let error):
                    queue(AdminReply.failure(error.description))
                case .success(let command):
                    running = true
                    server.run(command, for: id)
                }
            }
        }
    }

    private func queue(_ reply: [UInt8]) {
        guard !closed else { return }
        outgoing.append(reply)
        lws_callback_on_writable(wsi)
    }

    private func writeNext() -> Int32 {
        guard !outgoing.isEmpty else {
            return closing && !running && pending.isEmpty ? -1 : 0
        }
        let reply = outgoing.removeFirst()
        let buffer = server.core.outputBuffer(count: reply.count)
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
        let start = base + LoopCore.writePadding
        reply.withUnsafeBufferPointer { source in
            if let address = source.baseAddress { start.update(from: address, count: source.count) }
        }
        // LWS_WRITE_RAW is a macro for LWS_WRITE_HTTP, which Swift cannot import.
        guard lws_write(wsi, start, reply.count, LWS_WRITE_HTTP) >= reply.count else { return -1 }
        if !outgoing.isEmpty || closing { lws_callback_on_writable(wsi) }
        return 0
    }

    private func finish() {
        guard !closed else { return }
        closed = true
        lws_set_opaque_user_data(wsi, nil)
        server.connectionClosed(self)
    }
}
