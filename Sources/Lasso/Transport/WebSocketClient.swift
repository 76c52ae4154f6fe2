import Foundation

/// A WebSocket connection to one upstream (`ws://` or `wss://`) that keeps itself connected:
/// it reconnects after failures, closes and silence, with ``ReconnectBackoff``.
///
/// Guarantees:
/// - Events arrive in order on the loop thread, through `onEvent` and ``events``.
/// - After `.connected`, ``send(_:)`` delivers in order until the next `.disconnected`; sends
///   while disconnected are dropped (the owner re-subscribes on `.connected`).
/// - A connection with no data frame for `silenceTimeout` seconds is dropped and replaced.
/// - ``close(code:)`` is final: the close frame is sent, no reconnect follows, `.closed` ends
///   the event stream.
///
/// It is a plain object; a supervised process owns it, starts it and closes it on shutdown.
///
/// ```swift
/// let client = WebSocketClient(loop: loop, url: UpstreamURL("wss://eth.example.org/ws/KEY")!)
/// client.start()
/// for await event in client.events { … }
/// ```
public final class WebSocketClient: Sendable {
    /// Client settings.
    public struct Configuration: Sendable {
        /// Extra PEM CA bundle to trust; nil trusts the system store only.
        public var caFilePath: String?
        /// Seconds without a data frame before the connection counts as dead.
        public var silenceTimeout: Double = 60
        /// Seconds a connection attempt (DNS, TCP, TLS, upgrade) may take.
        public var connectTimeout: Double = 10
        /// Largest reassembled incoming message; beyond it the client closes with 1009.
        public var maxMessageBytes: Int = 1 << 20
        /// Delays between reconnect attempts.
        public var backoff = ReconnectBackoff()

        /// The defaults documented on each property.
        public init() {}
    }

    /// Every event, for `for await`; finishes after `.closed`.
    public let events: AsyncStream<WebSocketClientEvent>
    private let loop: EventLoop
    private let state: WebSocketClientState

    /// Creates the client; nothing connects until ``start()``.
    public init(loop: EventLoop, url: UpstreamURL, configuration: Configuration = .init(),
                onEvent: @escaping @Sendable (WebSocketClientEvent) -> Void = { _ in }) {
        // Bounded: a client driven through `onEvent` never reads `events`, and an unread
        // unbounded stream would keep every message ever received.
        let (stream, continuation) = AsyncStream<WebSocketClientEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        events = stream
        self.loop = loop
        state = WebSocketClientState(core: loop.core, url: url, configuration: configuration,
                                     resolver: DNSResolver(ttlSeconds: 30)) { event in
            onEvent(event)
            continuation.yield(event)
            if event == .closed { continuation.finish() }
        }
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
