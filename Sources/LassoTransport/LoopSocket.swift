import CLassoShim
import CLibWebSockets
import Foundation

/// One non-blocking socket on an event loop: libwebsockets polls it (it is adopted as a raw
/// descriptor) and reports readiness; this object reads and writes it, through TLS when it has
/// a session, and tells its ``SocketHandler``.
///
/// Why raw descriptors: the protocols above (HTTP/1.1, WebSocket, lines) are the project's own,
/// so every byte and every limit is under its control and test — pipelining, half-closes,
/// lingering closes, exact binds and one write per response, none of which lws 4.1's HTTP roles
/// get right.
///
/// Guarantees:
/// - Writes keep their order; whatever the kernel does not take is queued and flushed on
///   writability. ``pendingOutputBytes`` is what is queued.
/// - ``close()`` is final and idempotent; the handler hears ``SocketHandler/socketClosed(_:)``
///   exactly once, whoever closed (owner, peer, error, the loop's end).
/// - A read that returns fewer bytes than asked means the kernel had no more: the next
///   ``read(into:)`` in the same readiness round answers `.wouldBlock` without a system call.
/// - One readiness round reads at most ``readsPerRound`` buffers: a peer that sends faster than
///   its bytes are handled (a WebSocket client flooding small frames) yields the loop to the
///   other sockets, and is read again on the next round (poll is level-triggered).
///
/// Threading: loop thread only.
final class LoopSocket {
    /// What one ``read(into:)`` found.
    enum ReadResult: Equatable {
        /// This many bytes were stored.
        case bytes(Int)
        /// Nothing to read now; readiness will be reported again.
        case wouldBlock
        /// The peer closed its side (or finished TLS).
        case endOfStream
        /// The read failed; the socket is closing with ``LoopSocket/failure`` set.
        case failed
    }

    private enum Phase {
        /// A client socket whose TCP connect is in progress.
        case connecting
        /// The TLS handshake is in progress.
        case handshaking
        case open
        case closed
    }

    let id: UInt
    let fd: Int32
    let core: LoopCore
    var handler: (any SocketHandler)?
    private(set) var failure: SocketFailure?
    private var wsi: OpaquePointer?
    private var phase: Phase
    private var tls: OpaquePointer?
    private var output = OutputQueue()
    /// A short plain read happened since the last readiness report.
    private var drained = false
    /// Reads taken since the last readiness report.
    private var readsThisRound = 0
    /// Reads one readiness report allows (with the loop's 64 KiB buffer, 512 KiB): enough for
    /// any honest burst, and a flooding peer cannot keep the loop from every other socket.
    static let readsPerRound = 8
    private var writableRequested = false
    private var readingPaused = false
    /// Inside an lws callback for this socket: a close is then signalled by the return value.
    private var inCallback = false
    private var closeRequested = false
    private var closeAfterFlush = false
    private var shutdownAfterFlush = false

    private init(id: UInt, fd: Int32, core: LoopCore, phase: Phase, tls: OpaquePointer?) {
        self.id = id
        self.fd = fd
        self.core = core
        self.phase = phase
        self.tls = tls
    }

    deinit {
        if let tls { SSL_free(tls) }
    }

    /// The TLS role a socket plays, with what the handshake needs.
    enum TLSRole {
        /// Client: verify the certificate for `serverName` (also sent as SNI unless an IP).
        case client(TLSContext, serverName: String)
        /// Server: present the context's certificate.
        case server(TLSContext)
    }

    /// Adopts `fd` (non-blocking) into `core`'s loop. `connecting` marks a client socket whose
    /// `connect` returned `EINPROGRESS`. Returns nil (and closes `fd`) when lws has no room.
    static func adopt(fd: Int32, core: LoopCore, handler: any SocketHandler, connecting: Bool, tls: TLSRole?) -> LoopSocket? {
        core.assertOnLoop()
        guard let vhost = core.vhost else {
            Glibc.close(fd)
            return nil
        }
        var session: OpaquePointer?
        if let tls {
            guard let made = makeSession(fd: fd, role: tls) else {
                Glibc.close(fd)
                return nil
            }
            session = made
        }
        let socket = LoopSocket(id: core.uniqueNumber(), fd: fd, core: core,
                                phase: connecting ? .connecting : (tls == nil ? .open : .handshaking), tls: session)
        socket.handler = handler
        core.register(socket)
        var info = lws_adopt_desc_t()
        info.vh = vhost
        info.type = LWS_ADOPT_RAW_FILE_DESC
        info.fd.filefd = fd
        info.vh_prot_name = UnsafePointer(core.protocols[0].name)
        info.opaque = UnsafeMutableRawPointer(bitPattern: socket.id)
        guard let wsi = lws_adopt_descriptor_vhost_via_info(&info) else {
            // lws closes only descriptors adopted as sockets; a raw descriptor stays ours.
            core.unregister(socket)
            socket.phase = .closed
            socket.handler = nil
            Glibc.close(fd)
            return nil
        }
        socket.wsi = wsi
        // A connect in progress completes with writability; a server TLS handshake starts with
        // the client's first flight, which readability reports.
        if connecting || socket.phase == .handshaking { socket.requestWritable() }
        return socket
    }

    private static func makeSession(fd: Int32, role: TLSRole) -> OpaquePointer? {
        switch role {
        case .client(let context, let serverName):
            guard let ssl = SSL_new(context.pointer) else { return nil }
            SSL_set_fd(ssl, fd)
            SSL_set_connect_state(ssl)
            if SocketAddress.isIPLiteral(serverName) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
            } else {
                _ = lasso_ssl_set_server_name(ssl, serverName)
                SSL_set1_host(ssl, serverName)
            }
            let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
            _ = alpn.withUnsafeBufferPointer { SSL_set_alpn_protos(ssl, $0.baseAddress, UInt32($0.count)) }
            return ssl
        case .server(let context):
            guard let ssl = SSL_new(context.pointer) else { return nil }
            SSL_set_fd(ssl, fd)
            SSL_set_accept_state(ssl)
            return ssl
        }
    }

    // MARK: Owner API

    /// True until the socket closed or a close was asked for.
    var isOpen: Bool {
        core.assertOnLoop()
        return phase != .closed && !closeRequested
    }

    /// Bytes written but not yet taken by the kernel.
    var pendingOutputBytes: Int {
        core.assertOnLoop()
        return output.count
    }

    /// Reads into `buffer`. Call until `.wouldBlock` (or pause reading) on every readiness report;
    /// owners do it through ``readAvailable(while:_:)``.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        core.assertOnLoop()
        guard phase == .open, !closeRequested, let base = buffer.baseAddress, buffer.count > 0 else { return .wouldBlock }
        // Over budget, yield — unless OpenSSL holds decrypted bytes, which poll cannot see.
        guard readsThisRound < Self.readsPerRound || (tls.map { SSL_pending($0) > 0 } ?? false) else { return .wouldBlock }
        readsThisRound += 1
        if let tls {
            let count = SSL_read(tls, base, Int32(clamping: buffer.count))
            if count > 0 { return .bytes(Int(count)) }
            switch SSL_get_error(tls, count) {
            case SSL_ERROR_WANT_READ: return .wouldBlock
            case SSL_ERROR_WANT_WRITE:
                requestWritable()
                return .wouldBlock
            case SSL_ERROR_ZERO_RETURN: return .endOfStream
            case SSL_ERROR_SYSCALL where errno == 0: return .endOfStream
            case SSL_ERROR_SYSCALL: return fail(.ioFailed(errno: errno))
            default: return fail(.tlsFailed(reason: TLSContext.lastError()))
            }
        }
        if drained { return .wouldBlock }
        let count = recv(fd, base, buffer.count, 0)
        if count > 0 {
            if count < buffer.count { drained = true }
            return .bytes(count)
        }
        if count == 0 { return .endOfStream }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR: return .wouldBlock
        default: return fail(.ioFailed(errno: errno))
        }
    }

    /// How ``readAvailable(while:_:)`` stopped.
    enum ReadStop: Equatable {
        /// Nothing more to read for now (or the socket closed, or the owner said stop); poll
        /// reports readiness again when more arrives.
        case caughtUp
        /// The peer closed its side of the stream (or finished TLS).
        case endOfStream
    }

    /// The read pump every owner runs on ``SocketHandler/socketReadable(_:)``: reads until the
    /// kernel has nothing more for now, handing each chunk to `received`. The chunk lies in the
    /// loop's shared read buffer, valid only during the call: what is kept must be copied.
    /// `keepReading` is asked before every read (a handler that finished, handed the socket on
    /// or paused reading says false); a closed socket stops the pump too. What the end of the
    /// stream means — close, answer what is left, half-close — is the owner's to decide.
    @inline(__always)
    func readAvailable(while keepReading: () -> Bool = { true }, _ received: (UnsafeRawBufferPointer) -> Void) -> ReadStop {
        let buffer = core.readBuffer
        while isOpen, keepReading() {
            switch read(into: buffer) {
            case .bytes(let count): received(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            case .endOfStream: return .endOfStream
            case .wouldBlock, .failed: return .caughtUp
            }
        }
        return .caughtUp
    }

    /// Sends `bytes` after everything written before.
    func write(_ bytes: [UInt8]) {
        core.assertOnLoop()
        write(bytes, [])
    }

    /// Sends `head` then `body` (one system call when the kernel takes both). With nothing
    /// queued before them they go straight to the kernel; only what it does not take is queued.
    func write(_ head: [UInt8], _ body: [UInt8]) {
        core.assertOnLoop()
        guard isOpen, !(head.isEmpty && body.isEmpty) else { return }
        if output.isEmpty, phase == .open, !writableRequested, tls == nil {
            let count = head.withUnsafeBytes { first in
                body.withUnsafeBytes { second in
                    var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                                   iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count))
                    return withUnsafeMutableBytes(of: &vectors) { raw -> Int in
                        var message = msghdr()
                        message.msg_iov = raw.baseAddress?.assumingMemoryBound(to: iovec.self)
                        message.msg_iovlen = body.isEmpty ? 1 : 2
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            let written = sendResult(count)
            if written < 0 { return }
            if written >= head.count + body.count {
                if shutdownAfterFlush || closeAfterFlush { finishFlushActions() }
                return
            }
            if written < head.count {
                output.append(Array(head[written...]))
                output.append(body)
            } else {
                output.append(Array(body[(written - head.count)...]))
            }
            requestWritable()
            return
        }
        output.append(head)
        output.append(body)
        if phase == .open, !writableRequested { flush() }
    }

    /// Stops reporting readability (bytes wait in the kernel) until ``resumeReading()``.
    func pauseReading() {
        core.assertOnLoop()
        guard !readingPaused, let wsi, phase != .closed else { return }
        readingPaused = true
        lws_rx_flow_control(wsi, 0)
    }

    func resumeReading() {
        core.assertOnLoop()
        guard readingPaused, let wsi, phase != .closed else { return }
        readingPaused = false
        lws_rx_flow_control(wsi, 1)
    }

    /// Sends FIN once the queued output has left (a lingering close reads on afterwards).
    func shutdownWriteWhenFlushed() {
        core.assertOnLoop()
        guard isOpen else { return }
        shutdownAfterFlush = true
        if output.isEmpty { finishFlushActions() }
    }

    /// Closes once the queued output has left.
    func closeWhenFlushed() {
        core.assertOnLoop()
        guard isOpen else { return }
        closeAfterFlush = true
        if output.isEmpty { close() }
    }

    /// Closes now; queued output is dropped. The handler hears `socketClosed` before this
    /// returns, or — called from inside this socket's own callback — right after it.
    func close() {
        core.assertOnLoop()
        guard phase != .closed, !closeRequested else { return }
        closeRequested = true
        output.removeAll()
        if !inCallback, let wsi {
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC)
        }
    }

    // MARK: lws events (from LoopCore)

    func lwsReadable() -> Int32 {
        core.assertOnLoop()
        inCallback = true
        defer { inCallback = false }
        drained = false
        readsThisRound = 0
        switch phase {
        case .handshaking: handshake()
        case .open:
            if !output.isEmpty, tls != nil { flush() }  // TLS may need a read to continue a write
            if !closeRequested { handler?.socketReadable(self) }
        case .connecting, .closed: break
        }
        return closeRequested ? -1 : 0
    }

    func lwsWritable() -> Int32 {
        core.assertOnLoop()
        inCallback = true
        defer { inCallback = false }
        writableRequested = false
        switch phase {
        case .connecting: finishConnect()
        case .handshaking: handshake()
        case .open: flush()
        case .closed: break
        }
        if writableRequested {
            // lws clears POLLOUT right after this callback; ask again before the next poll.
            writableRequested = false
            core.rearmWritable(self)
        }
        return closeRequested ? -1 : 0
    }

    func lwsClosed() {
        core.assertOnLoop()
        guard phase != .closed else { return }
        phase = .closed
        wsi = nil
        output.removeAll()
        core.unregister(self)
        let handler = self.handler
        self.handler = nil
        handler?.socketClosed(self)
    }

    /// The loop ends with this socket open: report it closed; lws closes the descriptor.
    func loopEnded() {
        core.assertOnLoop()
        guard phase != .closed else { return }
        if failure == nil, !closeRequested { failure = .loopStopped }
        phase = .closed
        wsi = nil
        let handler = self.handler
        self.handler = nil
        handler?.socketClosed(self)
    }

    /// Asks lws to report writability (connect completion, queued output).
    func requestWritable() {
        core.assertOnLoop()
        guard let wsi, phase != .closed, !closeRequested else { return }
        writableRequested = true
        lws_callback_on_writable(wsi)
    }

    // MARK: Internals

    private func finishConnect() {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        guard code == 0 else {
            _ = fail(.connectFailed(errno: code))
            return
        }
        if tls != nil {
            phase = .handshaking
            handshake()
        } else {
            becomeOpen()
        }
    }

    private func handshake() {
        guard let tls else { return }
        let result = SSL_do_handshake(tls)
        if result == 1 {
            becomeOpen()
            return
        }
        switch SSL_get_error(tls, result) {
        case SSL_ERROR_WANT_READ: return
        case SSL_ERROR_WANT_WRITE: requestWritable()
        case SSL_ERROR_SYSCALL where errno != 0: _ = fail(.ioFailed(errno: errno))
        default:
            var reason = TLSContext.lastError()
            let verify = SSL_get_verify_result(tls)
            if verify != X509_V_OK { reason = String(cString: X509_verify_cert_error_string(verify)) }
            _ = fail(.tlsFailed(reason: reason))
        }
    }

    private func becomeOpen() {
        phase = .open
        handler?.socketConnected(self)
        if isOpen, !output.isEmpty { flush() }
        // Bytes that arrived with the end of the handshake are already inside OpenSSL, where
        // poll cannot see them.
        if isOpen, let tls, SSL_pending(tls) > 0 { handler?.socketReadable(self) }
    }

    /// Writes as much queued output as the kernel takes; asks for writability for the rest.
    private func flush() {
        while !output.isEmpty, isOpen {
            let written: Int
            if let tls {
                written = output.withFirstTwoRegions { region, _ -> Int in
                    guard let base = region.baseAddress else { return 0 }
                    let count = SSL_write(tls, base, Int32(clamping: region.count))
                    if count > 0 { return Int(count) }
                    switch SSL_get_error(tls, count) {
                    case SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_READ: return 0
                    case SSL_ERROR_SYSCALL where errno != 0: _ = fail(.ioFailed(errno: errno))
                    default: _ = fail(.tlsFailed(reason: TLSContext.lastError()))
                    }
                    return -1
                }
            } else if output.chunkCount <= 2 {
                // A response's head and body: two vectors on the stack, one system call.
                written = output.withFirstTwoRegions { first, second -> Int in
                    var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                                   iovec(iov_base: UnsafeMutableRawPointer(mutating: second?.baseAddress), iov_len: second?.count ?? 0))
                    let count = withUnsafeMutableBytes(of: &vectors) { raw -> Int in
                        var message = msghdr()
                        message.msg_iov = raw.baseAddress?.assumingMemoryBound(to: iovec.self)
                        message.msg_iovlen = second == nil ? 1 : 2
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    }
                    return sendResult(count)
                }
            } else {
                written = output.withRegions(limit: 16) { regions -> Int in
                    var vectors = regions.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
                    var message = msghdr()
                    let count = vectors.withUnsafeMutableBufferPointer { buffer -> Int in
                        message.msg_iov = buffer.baseAddress
                        message.msg_iovlen = buffer.count
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    }
                    return sendResult(count)
                }
            }
            if written < 0 { return }
            if written == 0 {
                requestWritable()
                return
            }
            output.consume(written)
        }
        if output.isEmpty, isOpen {
            finishFlushActions()
            if isOpen { handler?.socketWritable(self) }
        }
    }

    /// What a plain `sendmsg` result means for `flush`: bytes written, 0 to wait for
    /// writability, -1 after a failure (the socket is closing).
    private func sendResult(_ count: Int) -> Int {
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        _ = fail(.ioFailed(errno: errno))
        return -1
    }

    private func finishFlushActions() {
        if shutdownAfterFlush {
            shutdownAfterFlush = false
            if let tls { SSL_shutdown(tls) }
            Glibc.shutdown(fd, Int32(SHUT_WR))
        }
        if closeAfterFlush { close() }
    }

    /// Records the first failure and closes.
    private func fail(_ reason: SocketFailure) -> ReadResult {
        if failure == nil { failure = reason }
        close()
        return .failed
    }
}
