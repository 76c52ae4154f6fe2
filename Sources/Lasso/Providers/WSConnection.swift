import Supervision
import LassoTransport

/// `WSConnection(<provider>)`: the supervised process that owns one provider's upstream
/// WebSocket and carries unary JSON-RPC requests over it.
///
/// It connects at start and the transport reconnects with backoff when the socket drops; when
/// the process ends, however it ends, the socket is closed (`UpstreamWebSocketLifetime`). It
/// publishes itself on the chain's `ChainStateBoard` as the provider's `ws` channel when it
/// connects, and withdraws itself when the socket drops or the process stops, so selection
/// never offers a channel nobody can serve; a kill, which skips `terminate`, is caught by the
/// chain's `TransportRegistry`. The board is the only place that says whether the channel is
/// up, and an attempt finds this process's reference there. Requests
/// get lassod's own ids on the wire (many clients share the socket and their ids collide); the
/// pipeline restores each client's id on the way back. A request still waiting when the socket
/// drops fails as `connectionClosed` (the pipeline then fails over), one still waiting when the
/// transport closed the socket for a message over its size cap as `responseTooLarge`, one still
/// waiting when this process stops as `abandoned` (both fail over without counting against the
/// breaker), one that outlives its timeout as `timeout`.
///
/// Subscriptions: its `UpstreamWebSocketListener` (the chain's subscription pool) is told when
/// the socket comes up or goes down, and gets every message that answers none of the pending
/// requests (the `eth_subscription` notifications).
public struct WSConnection: GenServer {
    public enum Cast: Sendable {
        case send(body: [UInt8], timeout: Duration, completion: @Sendable (UpstreamReply) -> Void)
    }

    public enum Info: Sendable {
        case event(WebSocketClientEvent)
        case expired(UInt64)
    }

    private struct Pending {
        let completion: @Sendable (UpstreamReply) -> Void
        let timer: TimerHandle
    }

    let chain: String
    let provider: String
    let url: UpstreamURL
    let loop: EventLoop
    let board: ChainStateBoard
    let names: ProcessNames
    let listener: any UpstreamWebSocketListener
    private var client: WebSocketClient?
    private var lifetime: UpstreamWebSocketLifetime?
    private var connected = false
    private var pending: [UInt64: Pending] = [:]
    private var nextID: UInt64 = 1

    /// - Parameters:
    ///   - board: where the connection publishes its `ws` channel while it is up.
    ///   - listener: told when the socket comes up or goes down, and of every message that is
    ///     not a reply (the chain's subscription pool).
    public init(chain: String, provider: String, url: UpstreamURL, loop: EventLoop, board: ChainStateBoard,
                names: ProcessNames, listener: any UpstreamWebSocketListener) {
        self.listener = listener
        self.chain = chain
        self.provider = provider
        self.url = url
        self.loop = loop
        self.board = board
        self.names = names
    }

    /// The registered name, for `ProcessNames`.
    public static func processKey(chain: String, provider: String) -> String {
        ProcessNames.chainKey(chain, "WSConnection(\(provider))")
    }

    /// The child spec; `nil` when the provider has no usable `ws_url`.
    public static func childSpec(chain: ChainConfig, provider: ProviderConfig, loop: EventLoop,
                                 board: ChainStateBoard, names: ProcessNames,
                                 listener: any UpstreamWebSocketListener) -> ChildSpec? {
        guard let text = provider.wsURL, let url = UpstreamURL(text) else { return nil }
        let id = "WSConnection(\(provider.id))"
        return ChildSpec(id: id, name: names.name(processKey(chain: chain.key, provider: provider.id))) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) {
                WSConnection(chain: chain.key, provider: provider.id, url: url, loop: loop, board: board, names: names,
                             listener: listener)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        let me = context.ref
        let lifetime = UpstreamWebSocketLifetime()
        let client = WebSocketClient(loop: loop, url: url) { event in
            lifetime.observe(event)
            me.info(.event(event))
        }
        lifetime.adopt(client)
        self.client = client
        self.lifetime = lifetime
        // However this process ends — a stop, a crash, or a kill that skips `terminate` — its
        // upstream socket ends with it.
        context.ref.process.monitor { _ in lifetime.release() }
        client.start()
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .send(let body, let timeout, let completion):
            send(body, timeout: timeout, completion: completion, context: context)
        }
    }

    private mutating func send(_ body: [UInt8], timeout: Duration, completion: @escaping @Sendable (UpstreamReply) -> Void,
                               context: ServerContext<Self>) {
        guard connected, let client else {
            completion(.failure(.connectionClosed))
            return
        }
        let id = nextID
        nextID += 1
        guard let tagged = ResponseIDSplice.splice(response: body, clientID: Self.wireID(id)) else {
            completion(.failure(.invalidResponse))
            return
        }
        let timer = context.sendAfter(.expired(id), after: timeout)
        pending[id] = Pending(completion: completion, timer: timer)
        client.send(WebSocketMessage(isBinary: false, bytes: tagged))
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .event(.connected):
            connected = true
            board.publish(webSocket: context.ref, provider: provider)
            listener.connection(provider: provider, up: true)
        case .event(.disconnected(.messageTooBig)):
            // The transport closed the socket (1009) because a message exceeded its cap, and a
            // cut message names no request: every request it carried fails as too large, which
            // fails over without counting against the breaker. A client that asks for huge
            // replies must not be able to switch the provider off for everyone.
            setDisconnected(context: context, failing: .responseTooLarge)
        case .event(.disconnected), .event(.closed):
            setDisconnected(context: context)
        case .event(.message(let message)):
            guard let scan = JSONRPCScanner.scanResponse(message.bytes), let idRange = scan.id,
                  let id = Self.wireID(in: message.bytes[idRange]),
                  let waiting = pending.removeValue(forKey: id) else {
                listener.message(provider: provider, body: message.bytes)
                return
            }
            waiting.timer.cancel()
            waiting.completion(.response(status: nil, retryAfter: nil, body: message.bytes))
        case .event(.reconnecting):
            break
        case .expired(let id):
            pending.removeValue(forKey: id)?.completion(.failure(.timeout))
        }
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        lifetime?.release()
        // The process is going (a stop, a crash, a kill drill), not the provider: what was in
        // flight is abandoned, which fails over without counting against the provider's breaker.
        setDisconnected(context: context, failing: .abandoned)
    }

    /// The id a request gets on the wire: `id` in decimal digits, written as bytes.
    static func wireID(_ id: UInt64) -> [UInt8] {
        var digits: [UInt8] = []
        var rest = id
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        } while rest > 0
        digits.reverse()
        return digits
    }

    /// The id lassod gave a request, read back from a reply's id token; `nil` for anything that
    /// is not one (a subscription notification has none; a client id never reaches the wire).
    static func wireID(in token: ArraySlice<UInt8>) -> UInt64? {
        guard !token.isEmpty, token.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in token {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (next, carried) = shifted.addingReportingOverflow(UInt64(digit))
            guard !overflowed, !carried else { return nil }
            value = next
        }
        return value
    }

    private mutating func setDisconnected(context: ServerContext<Self>,
                                          failing failure: UpstreamAttemptOutcome.TransportFailure = .connectionClosed) {
        let wasConnected = connected
        connected = false
        board.withdrawWebSocket(provider: provider, ifPublishedBy: context.ref.pid)
        if wasConnected { listener.connection(provider: provider, up: false) }
        let waiting = pending
        pending = [:]
        for (_, request) in waiting {
            request.timer.cancel()
            request.completion(.failure(failure))
        }
    }
}

extension ServerRef: UpstreamWebSocket where Server == WSConnection {
    /// The connection process; its exit takes the channel down.
    public var carrier: ProcessRef? { process }

    /// Casts the request to the connection. A request cast to a connection that stops before
    /// handling it would never be answered (its mailbox goes with it); a monitor fails it as
    /// `abandoned` instead (lassod's restart, not the provider's fault), so the pipeline fails
    /// over without counting it against the breaker. The reply and the exit race; the first wins.
    public func send(_ request: [UInt8], timeout: Duration, completion: @escaping @Sendable (UpstreamReply) -> Void) {
        let reply = FirstReply(completion)
        let process = self.process
        let monitor = process.monitor { _ in reply.resolve(.failure(.abandoned)) }
        cast(.send(body: request, timeout: timeout, completion: { answer in
            process.demonitor(monitor)
            reply.resolve(answer)
        }))
    }
}
