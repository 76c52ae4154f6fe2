import Foundation
import Synchronization

/// The loop-thread side of a ``WebSocketClient``: one object that survives reconnects, with the
/// current attempt or connection as a `Phase`.
///
/// An attempt is DNS (off the loop), TCP connect, TLS, and the opening handshake, all within
/// `connectTimeout`; then a ``WebSocketChannel`` carries the frames. Any loss reports
/// `.disconnected` and schedules the next attempt with ``ReconnectBackoff``.
///
/// Threading: loop thread only, and every entry checks it (``LoopCore/assertOnLoop(_:_:)``),
/// except ``loopGone()``: it touches only `closedReported`, an atomic that makes `.closed`
/// once-only even when reported from a thread that found the loop stopped. That is what makes
/// `@unchecked Sendable` (the facade carries the state to the loop through the command queue)
/// safe.
final class WebSocketClientState: SocketHandler, @unchecked Sendable {
    private enum Phase {
        case idle
        case resolving
        /// TCP, TLS and the handshake, with the key the server must answer.
        case connecting(LoopSocket, key: String)
        case open(WebSocketChannel)
        case waitingToRetry
        case closed
    }

    let core: LoopCore
    private let url: UpstreamURL
    private let configuration: WebSocketClient.Configuration
    private let resolver: DNSResolver
    private let emit: @Sendable (WebSocketClientEvent) -> Void
    private let closedReported = Atomic<Bool>(false)
    private var phase = Phase.idle
    private var attempt = 0
    private var timer: LoopTimers.ID?
    private var hookID: UInt = 0
    /// Bytes of the handshake response read so far.
    private var handshakeBytes: [UInt8] = []
    private var scanner = HTTPHeadScanner()
    /// Set while the owner closes: the code reported when the channel ends.
    private var closing = false

    init(core: LoopCore, url: UpstreamURL, configuration: WebSocketClient.Configuration, resolver: DNSResolver,
         emit: @escaping @Sendable (WebSocketClientEvent) -> Void) {
        self.core = core
        self.url = url
        self.configuration = configuration
        self.resolver = resolver
        self.emit = emit
    }

    func start() {
        core.assertOnLoop()
        guard case .idle = phase else { return }
        hookID = core.uniqueNumber()
        core.onShutdown(hookID) { [weak self] in self?.shutdown() }
        connect()
    }

    func send(_ message: WebSocketMessage) {
        core.assertOnLoop()
        guard case .open(let channel) = phase else { return }
        channel.send(message)
    }

    func close(code: WebSocketCloseCode) {
        core.assertOnLoop()
        switch phase {
        case .open(let channel):
            closing = true
            channel.close(code)
            if let context = core.context {
                // The channel gives the upstream a second to answer the close frame.
                arm(after: .seconds(2), in: context) { channel.drop() }
            }
        case .connecting(let socket, _):
            socket.close()
            finishClosed()
        case .idle, .resolving, .waitingToRetry:
            finishClosed()
        case .closed:
            return
        }
    }

    /// The loop stopped before a command could run: report the end once.
    func loopGone() {
        if !closedReported.exchange(true, ordering: .acquiringAndReleasing) { emit(.closed) }
    }

    // MARK: Connecting

    private func connect() {
        guard let context = core.context else { return }
        phase = .resolving
        arm(after: configuration.connectTimeout, in: context) { [weak self] in self?.connectTimedOut() }
        if let address = resolver.cached(url.host) {
            open(address: address)
            return
        }
        let core = self.core
        resolver.resolve(url.host) { [weak self] address in
            _ = core.submit { [weak self] in
                guard let self, case .resolving = self.phase else { return }
                if let address { self.open(address: address) } else { self.lost(.dnsFailure) }
            }
        }
    }

    private func open(address: String) {
        guard let socketAddress = SocketAddress(ip: address, port: url.port) else {
            lost(.dnsFailure)
            return
        }
        var tls: LoopSocket.TLSRole?
        if url.isSecure {
            guard case .success(let context) = TLSContext.client(caFilePath: configuration.caFilePath) else {
                lost(.connectFailed(address: url.description))
                return
            }
            tls = .client(context, serverName: url.host)
        }
        guard case .success(let (fd, inProgress)) = ClientSocket.connect(to: socketAddress),
              let socket = LoopSocket.adopt(fd: fd, core: core, handler: self, connecting: inProgress, tls: tls) else {
            lost(.connectFailed(address: url.description))
            return
        }
        let key = WebSocketHandshake.makeKey()
        phase = .connecting(socket, key: key)
        handshakeBytes = []
        scanner.reset()
        socket.write(WebSocketHandshake.clientRequest(url: url, key: key))
    }

    private func connectTimedOut() {
        switch phase {
        case .connecting(let socket, _):
            phase = .resolving  // the attempt is over: its socket's close is not news
            socket.close()
        case .resolving:
            break
        default:
            return
        }
        lost(.connectFailed(address: url.description))
    }

    // MARK: Handshake (socket events while connecting)

    func socketReadable(_ socket: LoopSocket) {
        core.assertOnLoop()
        guard case .connecting(let current, let key) = phase, current === socket else { return }
        // Once established, the channel owns the socket and reads what follows.
        let end = socket.readAvailable(while: { isConnecting(on: socket) }) { bytes in
            handshakeBytes.append(contentsOf: bytes)
            switch handshakeBytes.withUnsafeBytes({ scanner.scan($0) }) {
            case .incomplete:
                if handshakeBytes.count > 16 << 10 { reject(socket) }
            case .complete(let length):
                let head = handshakeBytes.withUnsafeBytes { try? HTTPResponseHead.parse(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
                guard let head, WebSocketHandshake.accepts(head, key: key) else {
                    reject(socket)
                    return
                }
                established(socket, leftover: Array(handshakeBytes[length...]))
            }
        }
        if end == .endOfStream { socket.close() }
    }

    private func isConnecting(on socket: LoopSocket) -> Bool {
        if case .connecting(let current, _) = phase { current === socket } else { false }
    }

    func socketClosed(_ socket: LoopSocket) {
        core.assertOnLoop()
        guard case .connecting(let current, _) = phase, current === socket else { return }
        lost(.connectFailed(address: url.description))
    }

    /// The upstream answered the upgrade with something else (an HTTP error, a wrong key).
    private func reject(_ socket: LoopSocket) {
        phase = .resolving
        socket.close()
        lost(.connectFailed(address: url.description))
    }

    private func established(_ socket: LoopSocket, leftover: [UInt8]) {
        handshakeBytes = []
        let limits = WebSocketChannel.Limits(maxMessageBytes: configuration.maxMessageBytes,
                                             maxQueuedBytes: configuration.maxQueuedBytes)
        let channel = WebSocketChannel(socket: socket, role: .client, limits: limits,
                                       onMessage: { [weak self] message in self?.emit(.message(message)) },
                                       onClosed: { [weak self] ending in self?.channelClosed(ending) })
        phase = .open(channel)
        attempt = 0
        if let context = core.context {
            arm(after: configuration.silenceTimeout, in: context) { [weak self] in self?.checkSilence() }
        }
        emit(.connected)
        channel.start(leftover: leftover)
    }

    // MARK: Silence, loss, retry

    private func channelClosed(_ ending: WebSocketChannel.Ending) {
        guard case .open = phase else { return }
        if closing {
            finishClosed()
        } else if ending == .closedHere(.messageTooBig) {
            lost(.messageTooBig)
        } else {
            lost(.closed(ending.code))
        }
    }

    private func checkSilence() {
        guard case .open(let channel) = phase, let context = core.context else { return }
        let silentFor = LoopTimers.duration(from: channel.lastMessage, to: LoopTimers.now())
        if silentFor >= configuration.silenceTimeout {
            phase = .resolving
            channel.drop()
            lost(.silent)
        } else {
            channel.checkCloseDeadline(LoopTimers.now())
            arm(after: configuration.silenceTimeout - silentFor, in: context) { [weak self] in self?.checkSilence() }
        }
    }

    /// The current attempt or connection is gone: report it and schedule the next attempt.
    private func lost(_ reason: WebSocketClientDisconnect) {
        switch phase {
        case .closed, .waitingToRetry: return
        default: break
        }
        emit(.disconnected(reason))
        phase = .waitingToRetry
        let delay = configuration.backoff.delay(attempt: attempt, random: Double.random(in: 0..<1))
        attempt += 1
        emit(.reconnecting(attempt: attempt, delay: delay))
        guard let context = core.context else { return }
        arm(after: delay, in: context) { [weak self] in
            guard let self, case .waitingToRetry = self.phase else { return }
            self.connect()
        }
    }

    private func arm(after delay: Duration, in context: OpaquePointer, _ action: @escaping () -> Void) {
        if let timer { core.timers.cancel(timer) }
        timer = core.timers.schedule(in: context, after: delay, action)
    }

    private func shutdown() {
        let current = phase
        phase = .closed
        switch current {
        case .connecting(let socket, _): socket.close()
        case .open(let channel): channel.drop()
        default: break
        }
        finishClosed()
    }

    private func finishClosed() {
        phase = .closed
        if let timer { core.timers.cancel(timer) }
        timer = nil
        core.removeShutdownHook(hookID)
        if !closedReported.exchange(true, ordering: .acquiringAndReleasing) { emit(.closed) }
    }
}
