import CLassoShim
import CLibWebSockets

/// One keep-alive HTTP connection on the server: reads a request, hands it to its route, writes
/// the response, and starts over.
///
/// A connection serves one request at a time (HTTP/1.1 without pipelining), so the state is a
/// single `Phase`. Each request gets a serial; a response carrying an older serial (a handler
/// that answered after the deadline) is dropped.
///
/// Threading: loop thread only.
final class HTTPServerConnection: LoopSession {
    private enum Phase {
        case idle
        case readingBody(HTTPRequest)
        case awaitingHandler
        case responding(HTTPResponse)
        case closed
    }

    var id: UInt = 0
    private let server: HTTPServerState
    private let wsi: OpaquePointer
    private var serial: UInt64 = 0
    private var phase = Phase.idle
    /// True while lws is inside this connection's request callback (head or body complete).
    private var inRequestCallback = false

    init(server: HTTPServerState, wsi: OpaquePointer) {
        self.server = server
        self.wsi = wsi
    }

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_HTTP:
            inRequestCallback = true
            let result = begin(path: input, length: length)
            inRequestCallback = false
            return result == 0 ? writeInlineIfReady() : result
        case LWS_CALLBACK_HTTP_BODY:
            guard case .readingBody(var request) = phase, let input, length > 0 else { return 0 }
            if request.body.count + length > server.configuration.maxBodyBytes {
                reply(Self.bodyTooLarge(server.configuration.maxBodyBytes))
                return 0
            }
            phase = .idle  // drop the enum's reference so the append does not copy the body
            request.body.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
            phase = .readingBody(request)
            return 0
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            inRequestCallback = true
            if case .readingBody(let request) = phase { dispatch(request) }
            inRequestCallback = false
            return writeInlineIfReady()
        case LWS_CALLBACK_HTTP_WRITEABLE:
            return write()
        case LWS_CALLBACK_ESTABLISHED:
            // The client upgraded this keep-alive connection to WebSocket.
            finish()
            return server.openWebSocket(wsi)
        case LWS_CALLBACK_CLOSED_HTTP, LWS_CALLBACK_WSI_DESTROY:
            finish()
            return 0
        default:
            return lws_callback_http_dummy(wsi, reason, nil, input, length)
        }
    }

    /// The server is draining: an idle connection closes now (no request of its is lost); one
    /// with a request in progress answers it and then closes (see `write`).
    func serverDraining() {
        if case .idle = phase { lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC) }
    }

    /// A handler's answer for request `serial`.
    func deliver(_ response: HTTPResponse, serial: UInt64) {
        guard serial == self.serial, case .awaitingHandler = phase else { return }
        reply(response)
    }

    private func begin(path: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        serial &+= 1
        guard let method = LWSHeaderReader.method(wsi) else {
            reply(.jsonRPCError(status: 405, code: -32600, message: "method not allowed", closeConnection: true))
            return 0
        }
        let pathText = path.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) } ?? "/"
        var request = HTTPRequest(method: method, path: pathText,
                                  query: LWSHeaderReader.query(wsi),
                                  headers: LWSHeaderReader.headers(wsi, plan: server.headerPlan))
        guard method.hasBody else {
            dispatch(request)
            return 0
        }
        // lws 4.1 reads request bodies only by Content-Length (no chunked uploads).
        guard let declared = LWSHeaderReader.value(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH),
              let contentLength = Int(declared), contentLength >= 0 else {
            reply(.jsonRPCError(status: 411, code: -32600, message: "content-length required", closeConnection: true))
            return 0
        }
        if contentLength > server.configuration.maxBodyBytes {
            reply(Self.bodyTooLarge(server.configuration.maxBodyBytes))
            return 0
        }
        if contentLength == 0 {
            dispatch(request)
            return 0
        }
        request.body.reserveCapacity(contentLength)
        // lws arms its own body timeout (the vhost's `timeout_secs` = slowClientTimeout).
        phase = .readingBody(request)
        return 0
    }

    private static func bodyTooLarge(_ limit: Int) -> HTTPResponse {
        .jsonRPCError(status: 413, code: -32600, message: "request body exceeds \(limit) bytes", closeConnection: true)
    }

    private func dispatch(_ request: HTTPRequest) {
        phase = .awaitingHandler
        switch server.router.match(request.method, request.path) {
        case .handler(let handler):
            handler(request, HTTPResponder(server: server, connection: id, serial: serial))
        case .methodNotAllowed:
            reply(.jsonRPCError(status: 405, code: -32600, message: "method not allowed"))
        case .notFound:
            reply(.jsonRPCError(status: 404, code: -32601, message: "not found"))
        }
        if case .awaitingHandler = phase {
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, Int32(server.configuration.responseTimeout))
        }
    }

    private func reply(_ response: HTTPResponse) {
        phase = .responding(response)
        // Inside the request's own callback the write happens on the way out (see
        // `writeInlineIfReady`); asking for WRITEABLE too would cost a poll round for nothing.
        if !inRequestCallback { lws_callback_on_writable(wsi) }
    }

    /// A response produced synchronously by the handler is written right away when the socket
    /// can take it: that saves a poll round trip per request (the measured difference between
    /// ~0.6× and ~0.7× of nginx). Otherwise the WRITEABLE callback requested in `reply` does it;
    /// lws buffers any part the kernel does not take and flushes it before the next WRITEABLE.
    private func writeInlineIfReady() -> Int32 {
        guard case .responding = phase else { return 0 }
        guard lws_send_pipe_choked(wsi) == 0 else {
            lws_callback_on_writable(wsi)
            return 0
        }
        return write()
    }

    /// Writes status line, headers and body with one `lws_write`, then readies the connection
    /// for the next request (or closes it).
    private func write() -> Int32 {
        guard case .responding(let response) = phase else { return 0 }  // spurious WRITEABLE
        phase = .idle
        var headerRoom = 256 + response.contentType.utf8.count
        for header in response.headers { headerRoom += header.name.utf8.count + header.value.utf8.count + 4 }
        let buffer = server.core.outputBuffer(count: headerRoom + response.body.count)
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
        let start = base + LoopCore.writePadding
        let end = start + headerRoom
        var cursor: UnsafeMutablePointer<UInt8>? = start
        guard lws_add_http_common_headers(wsi, UInt32(response.status), response.contentType,
                                          lws_filepos_t(response.body.count), &cursor, end) == 0 else { return -1 }
        for header in response.headers {
            let name = header.name.lowercased() + ":"
            guard lws_add_http_header_by_name(wsi, name, header.value, Int32(header.value.utf8.count), &cursor, end) == 0 else {
                return -1
            }
        }
        let closing = response.closeConnection || server.isDraining
        if closing,
           lws_add_http_header_by_name(wsi, "connection:", "close", 5, &cursor, end) != 0 {
            return -1
        }
        guard lws_finalize_http_header(wsi, &cursor, end) == 0, var bodyStart = cursor else { return -1 }
        response.body.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress, bytes.count > 0 {
                bodyStart.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
                bodyStart += bytes.count
            }
        }
        let total = bodyStart - start
        guard lws_write(wsi, start, total, LWS_WRITE_HTTP_FINAL) >= total else { return -1 }
        if closing { return -1 }
        return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
    }

    private func finish() {
        if case .closed = phase { return }
        phase = .closed
        lws_set_opaque_user_data(wsi, nil)
        server.httpClosed(self)
    }
}
