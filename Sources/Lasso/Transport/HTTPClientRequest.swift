import CLassoShim
import CLibWebSockets

/// One upstream POST in flight: connect (or reuse a kept-alive connection), send head and
/// body, collect the response, complete once.
///
/// lws reports the end of a client transaction in several ways (`COMPLETED_CLIENT_HTTP`,
/// `CLOSED_CLIENT_HTTP`, `CLIENT_CONNECTION_ERROR`, possibly from inside
/// `lws_client_connect_via_info` itself, or nothing at all when our deadline kills it), so
/// completion is idempotent and everything after the first outcome is ignored.
///
/// Threading: loop thread only.
final class HTTPClientRequest: LoopSession {
    /// What to send, fixed before the request reaches the loop.
    struct Spec: Sendable {
        let url: UpstreamURL
        let body: [UInt8]
        let headers: [(name: String, value: String)]
        /// Monotonic nanoseconds (``LoopTimers/now()``).
        let deadline: UInt64
    }

    var id: UInt = 0
    private let spec: Spec
    private unowned let state: HTTPClientState
    private let pool: UpstreamConnectionPool
    private let slot: UpstreamConnectionPool.Slot
    private var completion: HTTPClient.Completion?
    private var wsi: OpaquePointer?
    /// lws stores the new wsi here early, before connect returns.
    private let wsiSlot = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
    private var deadlineTimer: LoopTimers.ID?
    private var status: Int?
    /// The upstream's `Retry-After`, kept for rate-limit cooldowns.
    private var retryAfter: String?
    private var expectedLength: Int?
    private var received: [UInt8] = []
    private var headersSent = false
    private var bodySent = false
    /// C strings lws may read after connect returns (queued pipelined transactions).
    private let cStrings = CStringArena()

    init(spec: Spec, state: HTTPClientState, pool: UpstreamConnectionPool, slot: UpstreamConnectionPool.Slot,
         completion: @escaping HTTPClient.Completion) {
        self.spec = spec
        self.state = state
        self.pool = pool
        self.slot = slot
        self.completion = completion
        wsiSlot.initialize(to: nil)
    }

    deinit {
        wsiSlot.deinitialize(count: 1)
        wsiSlot.deallocate()
    }

    private var address: String { spec.url.description }
    private var limit: Int { state.configuration.maxResponseBytes }

    func connect(context: OpaquePointer, vhost: OpaquePointer, address ip: String) {
        let now = LoopTimers.now()
        guard spec.deadline > now else {
            fail(.timeout(address: address))
            return
        }
        deadlineTimer = state.core.timers.schedule(in: context, after: Double(spec.deadline - now) / 1e9) { [weak self] in
            guard let self else { return }
            self.fail(.timeout(address: self.address))
        }
        var info = lws_client_connect_info()
        info.context = context
        info.vhost = vhost
        info.address = cStrings.make(ip)
        info.port = Int32(spec.url.port)
        info.path = cStrings.make(spec.url.pathAndQuery)
        // lws 4.1 joins a request to a kept-alive connection when the request's connect
        // *address* equals that connection's *Host*, and otherwise resolves the address itself,
        // blocking the loop. So a new connection is made to the resolved IP with Host = the name
        // (no port: it is also the SNI and certificate name), and while the slot has an idle
        // connection the request is addressed by name, which lws matches before any lookup.
        info.host = cStrings.make(spec.url.host)
        if slot.warm != nil { info.address = cStrings.make(spec.url.host) }
        info.origin = info.host
        info.method = cStrings.make("POST")
        info.protocol = cStrings.make(LoopCore.httpProtocolName)
        info.alpn = cStrings.make("http/1.1")
        // Never follow redirects: lws would resolve the new host on the loop thread and resend our
        // headers there; a 3xx is reported as a bad status instead.
        info.ssl_connection = Int32(bitPattern: LCCSCF_PIPELINE.rawValue)
            | Int32(bitPattern: LCCSCF_HTTP_NO_FOLLOW_REDIRECT.rawValue)
            | (spec.url.isSecure ? Int32(bitPattern: LCCSCF_USE_SSL.rawValue) : 0)
        info.keep_warm_secs = UInt16(clamping: state.configuration.keepAliveSeconds)
        info.opaque_user_data = LoopCore.tag(id)
        info.pwsi = wsiSlot
        wsi = lws_client_connect_via_info(&info)
        if wsi == nil, completion != nil {
            fail(.connectionRefused(address: address))
        }
    }

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        guard completion != nil else { return reason == LWS_CALLBACK_CLOSED_CLIENT_HTTP ? 0 : -1 }
        self.wsi = wsi
        switch reason {
        case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            return appendHeaders(input, length)
        case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
            return sendBody()
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
            status = Int(lws_http_client_http_response(wsi))
            if status.map({ !(200..<300).contains($0) }) == true {
                retryAfter = LWSHeaderReader.value(wsi, WSI_TOKEN_HTTP_RETRY_AFTER)
            }
            if let text = LWSHeaderReader.value(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH), let length = Int(text) {
                guard length <= limit else {
                    fail(.responseTooLarge(address: address, limit: limit))
                    return 0
                }
                expectedLength = length
                received.reserveCapacity(min(length, 16 << 20))
            }
            return 0
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
            return readAvailable()
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
            guard received.count + length <= limit else {
                fail(.responseTooLarge(address: address, limit: limit))
                return 0
            }
            if let input, length > 0 { received.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length)) }
            return 0
        case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
            completeWithResponse()
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            if headersSent {
                // Connected (and through TLS) already: the upstream hung up on the request.
                fail(.connectionClosed(address: address))
            } else {
                let reason = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
                fail(Self.classify(connectionError: reason, address: address))
            }
            return 0
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP, LWS_CALLBACK_WSI_DESTROY:
            if status != nil, let expectedLength, received.count >= expectedLength {
                completeWithResponse()
            } else {
                fail(status == nil ? .connectionClosed(address: address) : .truncatedBody(address: address))
            }
            return 0
        default:
            return lws_callback_http_dummy(wsi, reason, nil, input, length)
        }
    }

    /// lws reports connection failures as text; the words it uses tell TLS from TCP.
    static func classify(connectionError reason: String, address: String) -> HTTPClientError {
        let lowered = reason.lowercased()
        for marker in ["tls", "ssl", "cert", "verif", "handshake"] where lowered.contains(marker) {
            return .tlsFailure(address: address)
        }
        if lowered.contains("timed out") || lowered.contains("timeout") { return .timeout(address: address) }
        return .connectionRefused(address: address)
    }

    private func appendHeaders(_ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard let input, let wsi else { return -1 }
        let cursor = input.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
        guard let start = cursor.pointee else { return -1 }
        let end = start + length
        var headers = spec.headers
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append((name: "content-type", value: "application/json"))
        }
        headers.append((name: "content-length", value: String(spec.body.count)))
        for header in headers {
            let name = header.name.lowercased() + ":"
            if lws_add_http_header_by_name(wsi, name, header.value, Int32(header.value.utf8.count), cursor, end) != 0 {
                return -1
            }
        }
        headersSent = true
        lws_client_http_body_pending(wsi, 1)
        lws_callback_on_writable(wsi)
        return 0
    }

    private func sendBody() -> Int32 {
        guard let wsi, !bodySent else { return 0 }
        bodySent = true
        let buffer = state.core.outputBuffer(count: spec.body.count)
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
        let start = base + LoopCore.writePadding
        spec.body.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress, bytes.count > 0 {
                start.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            }
        }
        lws_client_http_body_pending(wsi, 0)
        guard lws_write(wsi, start, spec.body.count, LWS_WRITE_HTTP_FINAL) >= spec.body.count else { return -1 }
        outlastLibraryResponseTimeout()
        return 0
    }

    /// Once the body is sent, lws guards the wait for the response with its context-wide
    /// timeout (5 s in 4.1, set after this callback returns), which would cut every upstream
    /// slower than that whatever the request's own deadline. From the next loop turn, the wait
    /// is given until just past our deadline instead, so the deadline timer is what decides.
    private func outlastLibraryResponseTimeout() {
        guard let context = state.core.context else { return }
        _ = state.core.timers.schedule(in: context, after: 0) { [weak self] in
            guard let self, self.completion != nil, let wsi = self.wsi else { return }
            let now = LoopTimers.now()
            let remaining = Double(self.spec.deadline > now ? self.spec.deadline - now : 0) / 1e9
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, Int32(min(remaining.rounded(.up) + 1, 86_400)))
        }
    }

    private func readAvailable() -> Int32 {
        guard let wsi else { return -1 }
        let capacity = 16 * 1024
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity + LoopCore.writePadding) { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            var cursor: UnsafeMutablePointer<CChar>? = base + LoopCore.writePadding
            var available = Int32(capacity)
            return lws_http_client_read(wsi, &cursor, &available) < 0 ? -1 : 0
        }
    }

    private func completeWithResponse() {
        guard let status else {
            fail(.connectionClosed(address: address))
            return
        }
        if let expectedLength, received.count < expectedLength {
            fail(.truncatedBody(address: address))
        } else if (200..<300).contains(status) {
            finish(.success(HTTPClientResponse(status: status, body: received)), killConnection: false)
        } else {
            finish(.failure(.badStatus(status: status, body: received, retryAfter: retryAfter)), killConnection: false)
        }
    }

    /// Fails as if the upstream had hung up: its client is shutting down.
    func abandon() {
        fail(.clientClosed(address: address))
    }

    /// Completes with `error`; the connection is dropped since its state is unknown.
    func fail(_ error: HTTPClientError) {
        finish(.failure(error), killConnection: true)
    }

    private func finish(_ result: Result<HTTPClientResponse, HTTPClientError>, killConnection: Bool) {
        guard let completion else { return }
        self.completion = nil
        if let deadlineTimer { state.core.timers.cancel(deadlineTimer) }
        let wsi = self.wsi ?? wsiSlot.pointee
        if let wsi {
            if killConnection {
                lws_set_opaque_user_data(wsi, nil)
                if state.core.context != nil { lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC) }
            } else {
                // The connection idles for reuse; watch it so the slot knows when it is gone.
                let idle = IdleConnection(core: state.core, slot: slot, wsi: wsi)
                idle.id = state.core.register(idle)
                slot.warm = wsi
                lws_set_opaque_user_data(wsi, LoopCore.tag(idle.id))
            }
        }
        if state.core.context != nil { pool.release(slot, broken: killConnection) }
        state.finished(self)
        completion(result)
    }
}
