/// One keep-alive connection to an upstream: connects (and does TLS), then carries one request
/// at a time — writes it in one go, reads the response by its framing, and goes back to its
/// pool idle, or closes.
///
/// Threading: loop thread only.
final class HTTPClientConnection: SocketHandler {
    private enum Phase {
        /// TCP connect and TLS handshake under way, with the request that asked for it.
        case connecting(HTTPClientRequest)
        /// Request sent (or being sent); reading its response.
        case exchanging(HTTPClientRequest)
        /// In the pool, waiting for the next request.
        case idle
        case closed
    }

    private enum BodyReader {
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
        case untilClose
    }

    private let pool: UpstreamPool
    private var socket: LoopSocket?
    private var phase: Phase
    private var pending: [UInt8] = []
    private var scanner = HTTPHeadScanner()
    private var head: HTTPResponseHead?
    private var bodyReader = BodyReader.untilClose
    private var body: [UInt8] = []
    /// True once the connection has carried a response: a failure before the next response's
    /// first byte then may be the upstream closing an idle connection (a stale keep-alive).
    private(set) var reused = false
    private var receivedAny = false
    /// Monotonic nanoseconds when an idle connection is closed.
    private(set) var idleSince: UInt64 = 0

    private init(pool: UpstreamPool, request: HTTPClientRequest) {
        self.pool = pool
        phase = .connecting(request)
    }

    /// Opens a connection to `address` for `request`; nil (with the request failed) when the
    /// socket cannot even be created.
    static func open(pool: UpstreamPool, address: SocketAddress, request: HTTPClientRequest) -> HTTPClientConnection? {
        pool.core.assertOnLoop()
        let connection = HTTPClientConnection(pool: pool, request: request)
        guard case .success(let (fd, inProgress)) = ClientSocket.connect(to: address) else {
            request.finish(.failure(.connectionRefused(address: request.address)))
            return nil
        }
        let tls = pool.tls.map { LoopSocket.TLSRole.client($0, serverName: request.url.host) }
        guard let socket = LoopSocket.adopt(fd: fd, core: pool.core, handler: connection, connecting: inProgress, tls: tls) else {
            request.finish(.failure(.connectionRefused(address: request.address)))
            return nil
        }
        connection.socket = socket
        request.attempts += 1
        socket.write(request.bytes)
        return connection
    }

    var isIdle: Bool {
        pool.core.assertOnLoop()
        return if case .idle = phase { true } else { false }
    }

    /// The request this connection carries, if any.
    var request: HTTPClientRequest? {
        pool.core.assertOnLoop()
        return switch phase {
        case .connecting(let request), .exchanging(let request): request
        case .idle, .closed: nil
        }
    }

    /// Sends `request` on this idle connection.
    func send(_ request: HTTPClientRequest) {
        pool.core.assertOnLoop()
        guard case .idle = phase, let socket, socket.isOpen else { return }
        phase = .exchanging(request)
        resetResponse()
        request.attempts += 1
        socket.write(request.bytes)
    }

    /// Closes the connection; its request, if any, is the caller's to complete.
    func close() {
        pool.core.assertOnLoop()
        phase = .closed
        socket?.close()
    }

    // MARK: Socket events

    func socketConnected(_ socket: LoopSocket) {
        guard case .connecting(let request) = phase else { return }
        phase = .exchanging(request)
        resetResponse()
    }

    func socketReadable(_ socket: LoopSocket) {
        let end = socket.readAvailable { bytes in
            guard case .exchanging = phase else {
                // An idle upstream has nothing to say; bytes now mean it is out of step.
                close()
                return
            }
            receivedAny = true
            ingest(bytes)
        }
        if end == .endOfStream { endOfStream() }
    }

    func socketClosed(_ socket: LoopSocket) {
        self.socket = nil
        let previous = phase
        phase = .closed
        switch previous {
        case .connecting(let request):
            switch socket.failure {
            case .tlsFailed?: pool.failed(self, request, .tlsFailure(address: request.address), retry: false)
            case .loopStopped?: pool.failed(self, request, .loopStopped, retry: false)
            default: pool.failed(self, request, .connectionRefused(address: request.address), retry: false)
            }
        case .exchanging(let request):
            if socket.failure == .loopStopped {
                pool.failed(self, request, .loopStopped, retry: false)
            } else {
                lost(request)
            }
        case .idle, .closed:
            pool.closed(self)
        }
    }

    // MARK: Responses

    private func resetResponse() {
        pending = []
        scanner.reset()
        head = nil
        body = []
        receivedAny = false
    }

    private func ingest(_ bytes: UnsafeRawBufferPointer) {
        if pending.isEmpty {
            let used = process(bytes)
            if used < bytes.count, case .exchanging = phase { pending.append(contentsOf: bytes[used...]) }
        } else {
            pending.append(contentsOf: bytes)
            let taken = pending
            pending = []
            let used = taken.withUnsafeBytes { process($0) }
            if used < taken.count, case .exchanging = phase { pending = Array(taken[used...]) }
        }
    }

    /// Parses head and body from `bytes`; returns the bytes used.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard case .exchanging(let request) = phase else { return 0 }
        var offset = 0
        while offset < bytes.count || head != nil {
            guard let head else {
                let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                switch scanner.scan(rest) {
                case .incomplete:
                    if rest.count > 64 << 10 { fail(request, .malformedResponse(address: request.address)) }
                    return offset
                case .complete(let length):
                    do {
                        let parsed = try HTTPResponseHead.parse(UnsafeRawBufferPointer(rebasing: rest[0..<length]))
                        offset += length
                        if (100..<200).contains(parsed.status) {
                            // Interim responses (100 Continue) precede the real one.
                            guard parsed.status != 101 else {
                                fail(request, .malformedResponse(address: request.address))
                                return offset
                            }
                            continue
                        }
                        guard startBody(parsed, request, trailing: offset < bytes.count) else { return offset }
                        self.head = parsed
                    } catch {
                        fail(request, .malformedResponse(address: request.address))
                        return offset
                    }
                }
                continue
            }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch bodyReader {
            case .length(let remaining):
                let take = min(remaining, rest.count)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
                offset += take
                if take < remaining {
                    bodyReader = .length(remaining: remaining - take)
                    return offset
                }
                complete(request, head, trailing: offset < bytes.count)
                return offset
            case .chunked(var decoder):
                bodyReader = .untilClose
                do {
                    let (used, done) = try decoder.decode(rest, into: &body)
                    offset += used
                    bodyReader = .chunked(decoder)
                    guard done else { return offset }
                    complete(request, head, trailing: offset < bytes.count)
                } catch HTTPParseError.payloadTooLarge {
                    fail(request, .responseTooLarge(address: request.address, limit: pool.maxResponseBytes))
                } catch {
                    fail(request, .malformedResponse(address: request.address))
                }
                return offset
            case .untilClose:
                guard body.count + rest.count <= pool.maxResponseBytes else {
                    fail(request, .responseTooLarge(address: request.address, limit: pool.maxResponseBytes))
                    return bytes.count
                }
                body.append(contentsOf: rest)
                return bytes.count
            }
        }
        return offset
    }

    /// Prepares to read the body `head` announces; false when there is none (the response is
    /// complete) or it is refused (too large).
    private func startBody(_ head: HTTPResponseHead, _ request: HTTPClientRequest, trailing: Bool) -> Bool {
        switch head.framing {
        case .none:
            complete(request, head, trailing: trailing)
            return false
        case .length(let length):
            guard length <= pool.maxResponseBytes else {
                fail(request, .responseTooLarge(address: request.address, limit: pool.maxResponseBytes))
                return false
            }
            body.reserveCapacity(min(length, 16 << 20))
            bodyReader = .length(remaining: length)
        case .chunked:
            bodyReader = .chunked(ChunkedDecoder(limit: pool.maxResponseBytes))
        case .untilClose:
            bodyReader = .untilClose
        }
        return true
    }

    /// `trailing`: bytes followed the response in the same read. An upstream that sends more
    /// than it was asked for is out of step, so its connection is not reused.
    private func complete(_ request: HTTPClientRequest, _ head: HTTPResponseHead, trailing: Bool = false) {
        let result: Result<HTTPClientResponse, HTTPClientError>
        if (200..<300).contains(head.status) {
            result = .success(HTTPClientResponse(status: head.status, body: body))
        } else {
            result = .failure(.badStatus(status: head.status, body: body, retryAfter: head.fields["retry-after"]))
        }
        let keepAlive = head.keepAlive && pending.isEmpty && !trailing
        resetResponse()
        reused = true
        if keepAlive, let socket, socket.isOpen {
            phase = .idle
            idleSince = LoopTimers.now()
            pool.completed(self, request, result)
        } else {
            phase = .closed
            socket?.close()
            pool.completed(self, request, result)
        }
    }

    private func endOfStream() {
        guard case .exchanging(let request) = phase else {
            close()
            return
        }
        if let head, case .untilClose = bodyReader {
            complete(request, head)
            return
        }
        lost(request)
    }

    /// The connection ended while `request` was in flight.
    private func lost(_ request: HTTPClientRequest) {
        phase = .closed
        socket?.close()
        if head != nil {
            pool.failed(self, request, .truncatedBody(address: request.address), retry: false)
        } else {
            // Nothing arrived: on a reused connection this is most likely the upstream having
            // closed it as idle just as the request went out.
            pool.failed(self, request, .connectionClosed(address: request.address), retry: reused && !receivedAny)
        }
    }

    private func fail(_ request: HTTPClientRequest, _ error: HTTPClientError) {
        phase = .closed
        socket?.close()
        pool.failed(self, request, error, retry: false)
    }
}
