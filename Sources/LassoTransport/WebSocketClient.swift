import Foundation

/// A WebSocket connection to one upstream (`ws://` or `wss://`) that keeps itself connected:
/// it reconnects after failures, closes and silence, with ``ReconnectBackoff``.
///
/// Guarantees:
/// - Events arrive in order on the loop thread, through `onEvent`. Nothing is buffered for a
///   reader that is not there: a message's bytes live only as long as its handler keeps them.
/// - After `.connected`, ``send(_:)`` delivers in order until the next `.disconnected`; sends
///   while disconnected are dropped (the owner re-subscribes on `.connected`).
/// - A connection with no data frame for `silenceTimeout` seconds is dropped and replaced.
/// - Messages up to `maxMessageBytes` (64 MiB: an `eth_getLogs` answer can be tens of MB) are
///   accepted; a bigger one closes the connection with 1009 and reconnects.
/// - ``close(code:)`` is final: the close frame is sent, no reconnect follows, `.closed` is the
///   last event.
///
/// It is a plain object; a supervised process owns it, starts it and closes it on shutdown.
///
/// ```swift
/// let client = WebSocketClient(loop: loop, url: url) { event in   // url: an UpstreamURL, ws:// or wss://
///     if case .message(let message) = event { handle(message) }
/// }
/// client.start()
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public final class WebSocketClient: Sendable {
    /// Client settings.
    public struct Configuration: Sendable {
        /// Extra PEM CA bundle to trust; nil trusts the system store only.
        public var caFilePath: String?
        /// Time without a data frame before the connection counts as dead.
        public var silenceTimeout: Duration = .seconds(60)
        /// How long a connection attempt (DNS, TCP, TLS, upgrade) may take.
        public var connectTimeout: Duration = .seconds(10)
        /// Largest reassembled incoming message; beyond it the client closes with 1009.
        public var maxMessageBytes: Int = 64 << 20
        /// Bytes that may wait unsent before the connection counts as stuck and is replaced.
        public var maxQueuedBytes: Int = 4 << 20
        /// Delays between reconnect attempts.
        public var backoff = ReconnectBackoff()

        /// The defaults documented on each property.
        public init() {}
    }

    private let loop: EventLoop
    private let state: WebSocketClientState

    /// Creates the client; nothing connects until ``start()``.
    public init(loop: EventLoop, url: UpstreamURL, configuration: Configuration = .init(),
                onEvent: @escaping @Sendable (WebSocketClientEvent) -> Void = { _ in }) {
        self.loop = loop
        state = WebSocketClientState(core: loop.core, url: url, configuration: configuration,
                                     resolver: DNSResolver(ttl: .seconds(30)), emit: onEvent)
    }

    /// Starts connecting (the first attempt is immediate). Any thread; once.
    public func start() {
        let state = self.state
        run { state.start() }
    }

    /// Sends a text message if connected. Any thread.
    public func send(_ text: String) { send(.text(text)) }

    /// Sends a message if connected. Any thread.
    public func send(_ message: WebSocketMessage) {
        let state = self.state
        run { state.send(message) }
    }

    /// Closes for good with `code`. Any thread.
    public func close(code: WebSocketCloseCode = .normal) {
        let state = self.state
        run { state.close(code: code) }
    }

    private func run(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else if !loop.execute(body) {
            state.loopGone()
        }
    }
}
