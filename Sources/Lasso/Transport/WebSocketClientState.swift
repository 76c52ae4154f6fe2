import CLassoShim
import CLibWebSockets
import Foundation
import Synchronization

/// The loop-thread side of a ``WebSocketClient``: one session that survives reconnects, with
/// the current connection as a `Phase`.
///
/// Each attempt gets a fresh wsi; callbacks from an older wsi (one we gave up on after a
/// timeout or silence) are recognised by comparing with the current one and close it.
///
/// Threading: loop thread only, except `closedReported`, which makes `.closed` once-only even
/// when reported from a thread that found the loop stopped.
final class WebSocketClientState: LoopSession, @unchecked Sendable {
    private enum Phase {
        case idle
        case connecting(OpaquePointer?)
        case open(OpaquePointer)
        case waitingToRetry
        case closing(OpaquePointer)
        case closed
    }

    let core: LoopCore
    private let url: UpstreamURL
    private let configuration: WebSocketClient.Configuration
    private let resolver: DNSResolver
    private let emit: @Sendable (WebSocketClientEvent) -> Void
    private let closedReported = Atomic<Bool>(false)
    private var id: UInt = 0
    private var phase = Phase.idle
    private var attempt = 0
    private var timer: LoopTimers.ID?
    private var lastFrame: UInt64 = 0
    private var incoming: [UInt8] = []
    private var incomingIsBinary = false
    private var inMessage = false
    private var outgoing: [WebSocketMessage] = []
    private var closeCode: WebSocketCloseCode = .normal
    private var peerCloseCode: WebSocketCloseCode?
    private var vhost: OpaquePointer?
    private let cStrings = CStringArena()
    private let wsiSlot = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)

    init(core: LoopCore, url: UpstreamURL, configuration: WebSocketClient.Configuration, resolver: DNSResolver,
         emit: @escaping @Sendable (WebSocketClientEvent) -> Void) {
        self.core = core
        self.url = url
        self.configuration = configuration
        self.resolver = resolver
        self.emit = emit
        wsiSlot.initialize(to: nil)
    }

    deinit {
        wsiSlot.deinitialize(count: 1)
        wsiSlot.deallocate()
    }

    func start() {
        guard case .idle = phase else { return }
        id = core.register(self)
        core.onShutdown(id) { [weak self] in self?.shutdown() }
        connect()
    }

    func send(_ message: WebSocketMessage) {
        guard case .open(let wsi) = phase else { return }
        outgoing.append(message)
        lws_callback_on_writable(wsi)
    }

    func close(code: WebSocketCloseCode) {
        switch phase {
        case .open(let wsi):
            closeCode = code
            phase = .closing(wsi)
            lws_callback_on_writable(wsi)
        case .closing, .closed:
            return
        case .connecting(let wsi):
            if let wsi { kill(wsi) }
            finishClosed()
        case .idle, .waitingToRetry:
            finishClosed()
        }
    }

    /// The loop stopped before a command could run: report the end once.
    func loopGone() {
        if !closedReported.exchange(true, ordering: .acquiringAndReleasing) { emit(.closed) }
    }

    // MARK: Connecting

    private func connect() {
        phase = .connecting(nil)
        arm(after: configuration.connectTimeout) { [weak self] in self?.connectTimedOut() }
        if let address = resolver.cached(url.host) {
            open(address: address)
            return
        }
        let core = self.core
        resolver.resolve(url.host) { [weak self] address in
            _ = core.submit { [weak self] in
                guard let self, case .connecting(nil) = self.phase else { return }
                if let address { self.open(address: address) } else { self.lost(.dnsFailure) }
            }
        }
    }

    private func open(address: String) {
        guard let context = core.context, let vhost = clientVhost(context) else {
            lost(.connectFailed(address: url.description))
            return
        }
        var info = lws_client_connect_info()
        info.context = context
        info.vhost = vhost
        info.address = cStrings.make(address)
        info.port = Int32(url.port)
        info.path = cStrings.make(url.pathAndQuery)
        info.host = cStrings.make(url.hostHeader)
        info.origin = info.host
        info.local_protocol_name = cStrings.make(LoopCore.webSocketProtocolName)
        info.ssl_connection = Int32(bitPattern: LCCSCF_HTTP_NO_FOLLOW_REDIRECT.rawValue)
            | (url.isSecure ? Int32(bitPattern: LCCSCF_USE_SSL.rawValue) : 0)
        info.opaque_user_data = LoopCore.tag(id)
        wsiSlot.pointee = nil
        info.pwsi = wsiSlot
        let wsi = lws_client_connect_via_info(&info)
        // CONNECTION_ERROR may already have run inside the call and moved us on.
        guard case .connecting = phase else { return }
        if let wsi { phase = .connecting(wsi) } else { lost(.connectFailed(address: url.description)) }
    }

    /// One client-only vhost per client, so a custom CA applies to this upstream only.
    private func clientVhost(_ context: OpaquePointer) -> OpaquePointer? {
        if let vhost { return vhost }
        guard configuration.caFilePath != nil || url.isSecure else { return core.controlVhost }
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(core.protocols)
        info.options = UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
        info.vhost_name = cStrings.make("lasso-ws-client-\(core.uniqueNumber())")
        if let ca = configuration.caFilePath { info.client_ssl_ca_filepath = cStrings.make(ca) }
        vhost = lws_create_vhost(context, &info)
        return vhost
    }

    private func connectTimedOut() {
        guard case .connecting(let wsi) = phase else { return }
        if let wsi { kill(wsi) }
        lost(.connectFailed(address: url.description))
    }

    // MARK: lws callbacks

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        guard isCurrent(wsi) else {
            // A connection we already gave up on.
            switch reason {
            case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_CLIENT_CONNECTION_ERROR, LWS_CALLBACK_WSI_DESTROY:
                return 0
            default:
                return reason == LWS_CALLBACK_CLIENT_RECEIVE || reason == LWS_CALLBACK_CLIENT_ESTABLISHED
                    || reason == LWS_CALLBACK_CLIENT_WRITEABLE ? -1 : lws_callback_http_dummy(wsi, reason, nil, input, length)
            }
        }
        switch reason {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            phase = .open(wsi)
            attempt = 0
            peerCloseCode = nil
            inMessage = false
            lastFrame = LoopTimers.now()
            arm(after: configuration.silenceTimeout) { [weak self] in self?.checkSilence() }
            emit(.connected)
            return 0
        case LWS_CALLBACK_CLIENT_RECEIVE:
            return receive(wsi, input, length)
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            return writeNext(wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if let input, length >= 2 {
                let bytes = input.assumingMemoryBound(to: UInt8.self)
                peerCloseCode = WebSocketCloseCode(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            } else {
                peerCloseCode = .noStatus
            }
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            lost(.connectFailed(address: url.description))
            return 0
        case LWS_CALLBACK_CLIENT_CLOSED:
            if case .closing = phase {
                finishClosed()
            } else {
                lost(.closed(peerCloseCode ?? .abnormal))
            }
            return 0
        default:
            return lws_callback_http_dummy(wsi, reason, nil, input, length)
        }
    }

    private func isCurrent(_ wsi: OpaquePointer) -> Bool {
        switch phase {
        case .connecting(let current): return current == nil || current == wsi
        case .open(let current), .closing(let current): return current == wsi
        case .idle, .waitingToRetry, .closed: return false
        }
    }

    private func receive(_ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        lastFrame = LoopTimers.now()
        if !inMessage {
            inMessage = true
            incomingIsBinary = lws_frame_is_binary(wsi) != 0
            incoming.removeAll(keepingCapacity: true)
        }
        if incoming.count + length > configuration.maxMessageBytes {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, nil, 0)
            lost(.messageTooBig)
            return -1
        }
        if let input, length > 0 { incoming.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length)) }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return 0 }
        inMessage = false
        let message = WebSocketMessage(isBinary: incomingIsBinary, bytes: incoming)
        incoming = []
        emit(.message(message))
        return 0
    }

    private func writeNext(_ wsi: OpaquePointer) -> Int32 {
        if case .closing = phase {
            lws_close_reason(wsi, lws_close_status(rawValue: UInt32(closeCode.rawValue)), nil, 0)
            return -1
        }
        guard !outgoing.isEmpty else { return 0 }
        let message = outgoing.removeFirst()
        guard core.write(message, on: wsi) else { return -1 }
        if !outgoing.isEmpty { lws_callback_on_writable(wsi) }
        return 0
    }

    // MARK: Silence, loss, retry

    private func checkSilence() {
        guard case .open(let wsi) = phase else { return }
        let silentFor = Double(LoopTimers.now() &- lastFrame) / 1e9
        if silentFor >= configuration.silenceTimeout {
            kill(wsi)
            lost(.silent)
        } else {
            arm(after: configuration.silenceTimeout - silentFor) { [weak self] in self?.checkSilence() }
        }
    }

    /// The current connection is gone: report it and schedule the next attempt.
    private func lost(_ reason: WebSocketClientDisconnect) {
        if case .closed = phase { return }
        if case .waitingToRetry = phase { return }
        outgoing.removeAll()
        emit(.disconnected(reason))
        phase = .waitingToRetry
        let delay = configuration.backoff.delay(attempt: attempt, random: Double.random(in: 0..<1))
        attempt += 1
        emit(.reconnecting(attempt: attempt, delay: delay))
        arm(after: delay) { [weak self] in
            guard let self, case .waitingToRetry = self.phase else { return }
            self.connect()
        }
    }

    private func arm(after seconds: Double, _ action: @escaping () -> Void) {
        if let timer { core.timers.cancel(timer) }
        timer = core.context.map { core.timers.schedule(in: $0, after: seconds, action) }
    }

    private func kill(_ wsi: OpaquePointer) {
        lws_set_opaque_user_data(wsi, nil)
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
    }

    private func shutdown() {
        switch phase {
        case .connecting(let wsi?): kill(wsi)
        case .open(let wsi), .closing(let wsi): kill(wsi)
        default: break
        }
        finishClosed()
    }

    private func finishClosed() {
        if case .closed = phase { return }
        phase = .closed
        if let timer { core.timers.cancel(timer) }
        timer = nil
        outgoing.removeAll()
        core.unregister(id)
        core.removeShutdownHook(id)
        if !closedReported.exchange(true, ordering: .acquiringAndReleasing) { emit(.closed) }
    }
}
