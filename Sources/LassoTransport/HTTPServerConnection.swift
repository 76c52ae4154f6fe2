import Foundation

/// One HTTP/1.1 connection on the server: reads requests, hands each to its route, writes the
/// responses in order, and starts over — or upgrades to WebSocket.
///
/// Pipelined requests are read one at a time: while a handler works, later bytes wait in
/// `pending` (and beyond `pipelineLimit`, in the kernel: reading pauses). Each request gets a
/// serial; a response carrying an older one (a handler that answered after its deadline) is
/// dropped.
///
/// The connection holds no buffer of its own while idle: reads go into the loop's scratch
/// buffer, and only an incomplete remainder is copied into `pending`.
///
/// Threading: loop thread only.
final class HTTPServerConnection: SocketHandler {
    private enum Phase {
        /// Waiting for (the rest of) a request head.
        case head
        /// Reading the body of `head`.
        case body(HTTPRequestHead)
        /// The route's handler has the request.
        case handler(HTTPRequestHead)
        /// The last response is out and the write side shut: discarding what still comes.
        case lingering
        /// Handed over to a WebSocket connection, or closed.
        case done
    }

    private enum BodyReader {
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
    }

    private let server: HTTPServerState
    private var socket: LoopSocket?
    private var socketID: UInt = 0
    private var phase = Phase.head
    private var pending: [UInt8] = []
    private var scanner = HTTPHeadScanner()
    private var bodyReader = BodyReader.length(remaining: 0)
    private var body: [UInt8] = []
    /// The head of the request being read or handled, for the server's own error responses.
    private var current: HTTPRequestHead?
    private var serial: UInt64 = 0
    /// Monotonic nanoseconds; 0 when nothing is due.
    private var deadline: UInt64 = 0
    private var sendDeadline: UInt64 = 0
    private var lingerBytesLeft = 0
    private var peerFinished = false
    private var readingPaused = false
    /// Inside `process`: a handler answering synchronously must not re-enter it.
    private var processing = false
    private var closeAfterResponse = false
    /// The deadline running is the keep-alive idle one (replaced when a request starts).
    private var isIdleDeadline = true

    /// Pipelined bytes kept beyond the request being handled before reading pauses.
    private static let pipelineLimit = 64 << 10

    init(server: HTTPServerState) {
        self.server = server
    }

    func attach(_ socket: LoopSocket) {
        server.core.assertOnLoop()
        self.socket = socket
        socketID = socket.id
        armIdleDeadline()
    }

    private var configuration: HTTPServer.Configuration { server.configuration }

    // MARK: Socket events

    func socketReadable(_ socket: LoopSocket) {
        // After an upgrade the socket belongs to the WebSocket connection.
        let end = socket.readAvailable(while: { self.socket === socket && !readingPaused }) { bytes in ingest(bytes) }
        if end == .endOfStream {
            peerFinished = true
            pauseReading()
            endOfInput()
        }
    }

    func socketWritable(_ socket: LoopSocket) {
        sendDeadline = 0
    }

    func socketClosed(_ socket: LoopSocket) {
        if case .done = phase {} else { phase = .done }
        self.socket = nil
        pending = []
        body = []
        server.httpClosed(self, socketID: socketID)
    }

    // MARK: Reading requests

    /// Adds freshly read bytes and processes whatever they complete.
    private func ingest(_ bytes: UnsafeRawBufferPointer) {
        if case .lingering = phase {
            discard(bytes.count)
            return
        }
        if pending.isEmpty {
            let used = process(bytes)
            if used < bytes.count, socket?.isOpen == true { pending.append(contentsOf: bytes[used...]) }
        } else {
            pending.append(contentsOf: bytes)
            processPending()
        }
        if case .handler = phase, pending.count > Self.pipelineLimit { pauseReading() }
    }

    private func processPending() {
        guard !pending.isEmpty, !processing else { return }
        var taken = pending
        pending = []
        let used = taken.withUnsafeBytes { process($0) }
        if socket?.isOpen == true, used < taken.count {
            taken.removeFirst(used)
            pending = taken
        }
    }

    /// Runs the request state machine over `bytes`; returns how many it used. Stops at a request
    /// handed to a handler (the rest is the next, pipelined request) or when the connection ends.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        processing = true
        defer { processing = false }
        var offset = 0
        while offset < bytes.count, socket?.isOpen == true {
            switch phase {
            case .head:
                guard let used = readHead(UnsafeRawBufferPointer(rebasing: bytes[offset...])) else { return offset }
                offset += used
            case .body(let head):
                guard let used = readBody(UnsafeRawBufferPointer(rebasing: bytes[offset...]), head: head) else { return offset }
                offset += used
            case .lingering:
                discard(bytes.count - offset)
                return bytes.count
            case .handler, .done:
                return offset
            }
        }
        return offset
    }

    /// Consumes a complete head from the start of `bytes` and starts its request; nil when the
    /// head is not complete (or the connection failed).
    private func readHead(_ bytes: UnsafeRawBufferPointer) -> Int? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2), e.g. a CRLF after a body.
        var skipped = 0
        while skipped < bytes.count, bytes[skipped] == 0x0D || bytes[skipped] == 0x0A { skipped += 1 }
        if skipped > 0 { return skipped }
        if deadline == 0 || isIdleDeadline { armDeadline(configuration.slowClientTimeout) }
        isIdleDeadline = false
        switch scanner.scan(bytes) {
        case .incomplete(let firstLine):
            if (firstLine ?? bytes.count) > configuration.maxRequestLineBytes {
                fail(.uriTooLong)
            } else if bytes.count > configuration.maxHeadBytes {
                fail(.headersTooLarge)
            }
            return nil
        case .complete(let length):
            let head: HTTPRequestHead
            do {
                let lineLength = bytes.firstIndex(of: 0x0D) ?? length
                guard lineLength <= configuration.maxRequestLineBytes else { throw HTTPParseError.uriTooLong }
                guard length <= configuration.maxHeadBytes else { throw HTTPParseError.headersTooLarge }
                head = try HTTPRequestHead.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<length]),
                                                 maxFields: configuration.maxHeaderFields)
            } catch let error as HTTPParseError {
                fail(error)
                return nil
            } catch {
                return nil
            }
            begin(head, remaining: UnsafeRawBufferPointer(rebasing: bytes[length...]))
            return length
        }
    }

    private func begin(_ head: HTTPRequestHead, remaining: UnsafeRawBufferPointer) {
        current = head
        if head.isWebSocketUpgrade {
            upgrade(head, leftover: remaining)
            return
        }
        body = []
        switch head.framing {
        case .none, .untilClose:
            dispatch(head)
        case .length(let length):
            guard length <= configuration.maxBodyBytes else {
                fail(.payloadTooLarge)
                return
            }
            if head.expectsContinue, remaining.isEmpty { socket?.write(Self.continueResponse) }
            body.reserveCapacity(length)
            bodyReader = .length(remaining: length)
            phase = .body(head)
            armDeadline(configuration.slowClientTimeout + .seconds(length / (64 << 10)))
        case .chunked:
            if head.expectsContinue, remaining.isEmpty { socket?.write(Self.continueResponse) }
            bodyReader = .chunked(ChunkedDecoder(limit: configuration.maxBodyBytes))
            phase = .body(head)
            armDeadline(configuration.slowClientTimeout)
        }
    }

    private static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Consumes body bytes; dispatches when the body is complete. Nil when it needs more.
    private func readBody(_ bytes: UnsafeRawBufferPointer, head: HTTPRequestHead) -> Int? {
        switch bodyReader {
        case .length(let remaining):
            let take = min(remaining, bytes.count)
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            if take == remaining {
                dispatch(head)
            } else {
                bodyReader = .length(remaining: remaining - take)
            }
            return take
        case .chunked(var decoder):
            do {
                bodyReader = .length(remaining: 0)  // release the decoder's copy while it mutates
                let (used, done) = try decoder.decode(bytes, into: &body)
                bodyReader = .chunked(decoder)
                if done { dispatch(head) }
                return used
            } catch {
                fail(error)
                return nil
            }
        }
    }

    /// The end of the client's input (it half-closed): finish what is complete, then close.
    private func endOfInput() {
        switch phase {
        case .head:
            // A complete pipelined request may still wait in `pending`.
            processPending()
            if case .head = phase { socket?.closeWhenFlushed() }
        case .body:
            socket?.close()
        case .lingering:
            socket?.close()
        case .handler, .done:
            break
        }
    }

    // MARK: Dispatching and answering

    private func dispatch(_ head: HTTPRequestHead) {
        serial &+= 1
        phase = .handler(head)
        armDeadline(configuration.responseTimeout)
        let request = HTTPRequest(method: head.method, path: head.path, query: head.query, fields: head.fields, body: body)
        body = []
        let routed = head.method == .head ? HTTPMethod.get : head.method
        switch server.router.match(routed, head.path) {
        case .handler(let handler):
            handler(request, HTTPResponder(server: server, connection: socketID, serial: serial))
        case .methodNotAllowed(let allowed):
            var response = errorResponse(405, "method not allowed")
            let names = Set(allowed + (allowed.contains(.get) ? [.head] : [])).map(\.rawValue).sorted()
            response.headers.append((name: "allow", value: names.joined(separator: ", ")))
            deliver(response, serial: serial)
        case .notFound:
            deliver(errorResponse(404, "not found"), serial: serial)
        }
    }

    /// A handler's answer for request `serial`.
    func deliver(_ response: HTTPResponse, serial: UInt64) {
        server.core.assertOnLoop()
        guard serial == self.serial, case .handler(let head) = phase, let socket, socket.isOpen else { return }
        let closing = response.closeConnection || !head.keepAlive || closeAfterResponse || server.isDraining
        write(response, head: head, closing: closing)
        if closing {
            beginLingeringClose()
            return
        }
        phase = .head
        current = nil
        armIdleDeadline()
        if !processing {
            processPending()
            if case .head = phase, peerFinished { socket.closeWhenFlushed() }
        }
        if case .head = phase, readingPaused, !peerFinished { resumeReading() }
    }

    private func write(_ response: HTTPResponse, head: HTTPRequestHead?, closing: Bool) {
        guard let socket else { return }
        let bodyAllowed = !HTTPStatus.forbidsBody(response.status)
        let isHead = head?.method == .head
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + response.headers.count * 48)
        bytes.append(contentsOf: HTTPStatus.statusLine(response.status))
        if bodyAllowed {
            bytes.append(contentsOf: Self.contentTypePrefix)
            bytes.append(contentsOf: response.contentType.utf8)
            bytes.append(contentsOf: Self.contentLengthPrefix)
            HTTPDigits.append(response.body.count, to: &bytes)
            bytes.append(contentsOf: Self.lineEnd)
        }
        for header in response.headers {
            bytes.append(contentsOf: header.name.utf8)
            bytes.append(contentsOf: Self.separator)
            bytes.append(contentsOf: header.value.utf8)
            bytes.append(contentsOf: Self.lineEnd)
        }
        if closing {
            bytes.append(contentsOf: Self.connectionClose)
        } else if head?.minorVersion == 0 {
            bytes.append(contentsOf: Self.connectionKeepAlive)
        }
        bytes.append(contentsOf: Self.datePrefix)
        bytes.append(contentsOf: server.core.httpDate.current())
        bytes.append(contentsOf: Self.headEnd)
        if bodyAllowed, !isHead, !response.body.isEmpty {
            socket.write(bytes, response.body)
        } else {
            socket.write(bytes)
        }
        if socket.pendingOutputBytes > 0 { sendDeadline = LoopTimers.now() &+ LoopTimers.nanoseconds(configuration.sendTimeout) }
    }

    private static let contentTypePrefix = Array("content-type: ".utf8)
    private static let contentLengthPrefix = Array("\r\ncontent-length: ".utf8)
    private static let separator = Array(": ".utf8)
    private static let lineEnd = Array("\r\n".utf8)
    private static let connectionClose = Array("connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("connection: keep-alive\r\n".utf8)
    private static let datePrefix = Array("date: ".utf8)
    private static let headEnd = Array("\r\n\r\n".utf8)

    /// Answers a request the server cannot serve and ends the connection gracefully.
    private func fail(_ error: HTTPParseError) {
        guard let socket, socket.isOpen else { return }
        var head: HTTPRequestHead?
        if case .handler(let current) = phase { head = current }
        write(errorResponse(error.status, error.message), head: head, closing: true)
        beginLingeringClose()
    }

    /// The server's own error response, given the request's head when it was read.
    private func errorResponse(_ status: Int, _ message: String) -> HTTPResponse {
        let request = current.map { HTTPRequest(method: $0.method, path: $0.path, query: $0.query, fields: $0.fields) }
        return configuration.errorResponse(status, message, request)
    }

    /// Shuts the write side once the response is out, then reads and discards what the client
    /// still sends (bounded in time and bytes) so that it sees the response, not a reset.
    private func beginLingeringClose() {
        phase = .lingering
        pending = []
        body = []
        lingerBytesLeft = configuration.lingerBytes
        armDeadline(configuration.lingerTimeout)
        socket?.shutdownWriteWhenFlushed()
        if peerFinished { socket?.closeWhenFlushed() } else { resumeReading() }
    }

    private func discard(_ count: Int) {
        lingerBytesLeft -= count
        if lingerBytesLeft <= 0 { socket?.close() }
    }

    private func upgrade(_ head: HTTPRequestHead, leftover: UnsafeRawBufferPointer) {
        guard head.minorVersion >= 1, head.framing == .none else {
            fail(.badRequest("malformed WebSocket handshake"))
            return
        }
        guard head.fields["sec-websocket-version"] == "13" else {
            phase = .handler(head)
            var response = errorResponse(426, "unsupported WebSocket version")
            response.headers.append((name: "sec-websocket-version", value: "13"))
            write(response, head: head, closing: true)
            beginLingeringClose()
            return
        }
        guard let key = head.fields["sec-websocket-key"], WebSocketHandshake.isValidKey(key) else {
            fail(.badRequest("malformed WebSocket handshake"))
            return
        }
        guard server.webSocket != nil, let socket, !server.isDraining else {
            phase = .handler(head)
            write(errorResponse(404, "not found"), head: head, closing: true)
            beginLingeringClose()
            return
        }
        socket.write(WebSocketHandshake.serverResponse(key: key))
        phase = .done
        let request = HTTPRequest(method: .get, path: head.path, query: head.query, fields: head.fields)
        let rest = Array(leftover) + pending
        pending = []
        deadline = 0
        resumeReading()
        server.upgraded(socket, request: request, leftover: rest)
        self.socket = nil
    }

    // MARK: Deadlines and draining

    private func armDeadline(_ timeout: Duration) {
        deadline = LoopTimers.now() &+ LoopTimers.nanoseconds(timeout)
    }

    private func armIdleDeadline() {
        armDeadline(configuration.keepAliveTimeout)
        isIdleDeadline = true
    }

    /// Called by the server's sweep.
    func checkDeadline(_ now: UInt64) {
        server.core.assertOnLoop()
        guard let socket, socket.isOpen else { return }
        if sendDeadline != 0, now >= sendDeadline {
            socket.close()
            return
        }
        guard deadline != 0, now >= deadline else { return }
        switch phase {
        case .head where pending.isEmpty:
            socket.close()
        case .head, .body:
            fail(.requestTimeout)
        case .handler:
            var response = errorResponse(504, "no response in time")
            response.closeConnection = true
            deliver(response, serial: serial)
        case .lingering:
            socket.close()
        case .done:
            break
        }
    }

    /// The server is draining: an idle connection closes now (no request of its is lost); one
    /// with a request in progress answers it with `connection: close`.
    func serverDraining() {
        server.core.assertOnLoop()
        closeAfterResponse = true
        if case .head = phase, pending.isEmpty { socket?.close() }
    }

    /// The server is stopping: close now.
    func serverStopping() {
        server.core.assertOnLoop()
        socket?.close()
    }

    private func pauseReading() {
        readingPaused = true
        socket?.pauseReading()
    }

    private func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        socket?.resumeReading()
    }
}
