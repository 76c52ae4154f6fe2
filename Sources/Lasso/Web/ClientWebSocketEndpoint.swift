import Synchronization
import LassoTransport

/// `ws://host:port/ws/rpc/:chain` (a chain name or its numeric chain id): JSON-RPC over a
/// client WebSocket, on the same listener as HTTP.
///
/// - Unary requests and batches go through `RPCEndpoint`, so they follow the HTTP rules
///   exactly (same pipeline, errors, logging, client ids echoed); each reply is one text
///   message on the same socket, and notifications get none.
/// - `eth_subscribe` (`newHeads`, `logs` with an optional address/topics filter) and
///   `eth_unsubscribe` go to the chain's `ClientSubscriptionRegistry`; parameters are checked
///   here (-32602 with the reason). Inside a batch they cannot be served: `RPCEndpoint` answers
///   each with its own -32600 entry of the batch's reply array, the rest of the batch is routed.
/// - An unknown chain or path gets one JSON-RPC error message, then the socket is closed with
///   4004 (`unknownEndpoint`); a message that is not text JSON-RPC gets the HTTP route's error.
/// - A connection has at most `maxInFlight` requests (a batch counts as one) being answered at
///   once; one more gets -32005 with its id (each element's, for a batch) instead of a pipeline
///   run, so a client that never waits for replies cannot pile up upstream work. An
///   `eth_subscribe` id is at most `maxSubscribeIDBytes` long (-32600 beyond): the registry
///   keeps it until the subscription is confirmed.
/// - When a socket closes, its subscriptions are removed; replies of requests still running
///   are dropped.
public final class ClientWebSocketEndpoint: Sendable {
    let configs: CurrentConfig
    let names: ProcessNames
    let rpc: RPCEndpoint
    /// Where replies and events are sent.
    public let sockets: ClientSockets
    /// Open connections: the chain each one serves, and its requests being answered.
    private let clients = Mutex<[WebSocketConnectionID: Client]>([:])

    private struct Client {
        let chain: String
        var inFlight = 0
    }

    /// Requests (or batches) one connection may have being answered at once.
    public static let maxInFlight = 100
    /// Bytes an `eth_subscribe` request's id may take.
    public static let maxSubscribeIDBytes = 128

    public init(configs: CurrentConfig, names: ProcessNames, rpc: RPCEndpoint, sockets: ClientSockets) {
        self.configs = configs
        self.names = names
        self.rpc = rpc
        self.sockets = sockets
    }

    /// Close code for a path that names no endpoint or no configured chain.
    public static let unknownEndpoint = WebSocketCloseCode(rawValue: 4004)

    /// Starts serving the connections `listener` accepts.
    public func serve(_ listener: HTTPServer) {
        sockets.serve(listener)
    }

    /// Closes every open client connection (1001) and detaches the listener: the listener
    /// itself does not close upgraded connections when it stops.
    public func stopServing() {
        let open = clients.withLock { Array($0.keys) }
        for connection in open { sockets.close(connection, code: .goingAway) }
        sockets.serve(nil)
    }

    /// The listener's WebSocket handlers.
    public var handlers: WebSocketServerHandlers {
        WebSocketServerHandlers(
            onOpen: { [self] connection, request in open(connection, request) },
            onMessage: { [self] connection, message in receive(connection, message) },
            onClose: { [self] connection, _ in closed(connection) })
    }

    /// The chain a `/ws/rpc/:chain` path names, or the error to close with.
    static func chain(path: String, config: LassoConfig) -> Result<ChainConfig, WebSocketPathError> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, parts[0] == "ws", parts[1] == "rpc" else {
            return .failure(WebSocketPathError(message: "no such endpoint: \(path.prefix(200)); use /ws/rpc/:chain"))
        }
        guard let chain = config.chain(named: parts[2]) else {
            return .failure(WebSocketPathError(message: "unknown chain: \(parts[2].prefix(100))"))
        }
        return .success(chain)
    }

    struct WebSocketPathError: Error {
        var message: String
    }

    private func open(_ connection: WebSocketConnectionID, _ request: HTTPRequest) {
        switch Self.chain(path: request.path, config: configs.config) {
        case .success(let chain):
            clients.withLock { $0[connection] = Client(chain: chain.key) }
        case .failure(let error):
            sockets.send(connection, JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest, message: error.message))
            sockets.close(connection, code: Self.unknownEndpoint)
        }
    }

    private func closed(_ connection: WebSocketConnectionID) {
        guard let chain = clients.withLock({ $0.removeValue(forKey: connection)?.chain }) else { return }
        ClientSubscriptionRegistry.running(chain: chain, names: names)?.cast(.disconnected(connection))
    }

    private func receive(_ connection: WebSocketConnectionID, _ message: WebSocketMessage) {
        guard let chain = clients.withLock({ $0[connection]?.chain }) else { return }
        let body = message.bytes
        let scan = JSONRPCScanner.scanBody(body)
        switch scan {
        case .request(let head) where RPCEndpoint.subscriptionMethods.contains(head.method):
            subscription(connection, chain: chain, head: head, body: body)
        default:
            guard admit(connection) else {
                if let refusal = Self.tooManyInFlight(scan, body) { sockets.send(connection, refusal) }
                return
            }
            let request = HTTPRequest(method: .post, path: "/rpc/\(chain)", body: body)
            rpc.handle(request, clientTransport: .ws) { [self] response in
                guard answered(connection), !response.body.isEmpty else { return }
                sockets.send(connection, response.body)
            }
        }
    }

    /// Counts a request in for `connection`; false when it already has `maxInFlight`.
    private func admit(_ connection: WebSocketConnectionID) -> Bool {
        clients.withLock { clients in
            guard let client = clients[connection], client.inFlight < Self.maxInFlight else { return false }
            clients[connection]?.inFlight += 1
            return true
        }
    }

    /// Counts a request out; false when its connection has closed meanwhile.
    private func answered(_ connection: WebSocketConnectionID) -> Bool {
        clients.withLock { clients in
            guard clients[connection] != nil else { return false }
            clients[connection]?.inFlight -= 1
            return true
        }
    }

    /// The -32005 reply to a request over the in-flight limit: one error per request that has
    /// an id (an array for a batch), nil when nothing is owed a reply.
    static func tooManyInFlight(_ scan: JSONRPCBodyScan, _ body: [UInt8]) -> [UInt8]? {
        let message = "too many requests in flight on this connection (at most \(maxInFlight)); wait for replies"
        func refusal(_ id: Range<Int>?) -> [UInt8]? {
            id.map { JSONRPCErrorBody.make(id: body[$0], code: JSONRPCErrorBody.limitExceeded, message: message) }
        }
        switch scan {
        case .request(let head):
            return refusal(head.id)
        case .batch(let ranges):
            let errors = ranges.compactMap { range -> [UInt8]? in
                guard case .request(let head) = JSONRPCScanner.scanRequest(body, in: range) else { return nil }
                return refusal(head.id)
            }
            guard !errors.isEmpty else { return nil }
            return Array("[".utf8) + errors.joined(separator: Array(",".utf8)) + Array("]".utf8)
        default:
            return JSONRPCErrorBody.make(code: JSONRPCErrorBody.limitExceeded, message: message)
        }
    }

    private func subscription(_ connection: WebSocketConnectionID, chain: String, head: JSONRPCRequestHead,
                              body: [UInt8]) {
        guard let idRange = head.id else {
            sockets.send(connection, JSONRPCErrorBody.make(
                code: JSONRPCErrorBody.invalidRequest,
                message: "Invalid Request: \(head.method) needs an id, its reply carries the subscription"))
            return
        }
        if head.method == "eth_subscribe", idRange.count > Self.maxSubscribeIDBytes {
            sockets.send(connection, JSONRPCErrorBody.make(
                code: JSONRPCErrorBody.invalidRequest,
                message: "Invalid Request: an eth_subscribe id may take at most \(Self.maxSubscribeIDBytes) bytes"))
            return
        }
        let requestID = Array(body[idRange])
        let params = head.params.map { Array(body[$0]) }
        guard let registry = ClientSubscriptionRegistry.running(chain: chain, names: names) else {
            sockets.send(connection, JSONRPCErrorBody.make(id: requestID, code: JSONRPCErrorBody.serverError,
                                                           message: "chain \(chain) is not running"))
            return
        }
        if head.method == "eth_unsubscribe" {
            guard let id = Self.unsubscribeID(params) else {
                sockets.send(connection, JSONRPCErrorBody.make(
                    id: requestID, code: JSONRPCErrorBody.invalidParams,
                    message: "invalid argument 0: eth_unsubscribe takes [subscription id]"))
                return
            }
            registry.cast(.unsubscribe(connection: connection, requestID: requestID, subscription: id))
            return
        }
        do throws(SubscriptionKey.InvalidParams) {
            let key = try SubscriptionKey.parse(params: params)
            registry.cast(.subscribe(connection: connection, requestID: requestID, key: key))
        } catch {
            sockets.send(connection, JSONRPCErrorBody.make(id: requestID, code: JSONRPCErrorBody.invalidParams,
                                                           message: error.message))
        }
    }

    /// The id in `["0x…"]`.
    private static func unsubscribeID(_ params: [UInt8]?) -> String? {
        guard let params else { return nil }
        return params.withUnsafeBytes { buffer -> String? in
            var cursor = JSONCursor(buffer, range: 0..<buffer.count)
            var elements: [Range<Int>] = []
            do {
                try cursor.scanArray { elements.append($0) }
            } catch {
                return nil
            }
            guard elements.count == 1 else { return nil }
            return JSONRPCScanner.decodeString(buffer, token: elements[0])
        }
    }
}
