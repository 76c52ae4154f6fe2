import Synchronization

/// `ws://host:port/ws/rpc/:chain` (a chain name or its numeric chain id): JSON-RPC over a
/// client WebSocket, on the same listener as HTTP.
///
/// - Unary requests and batches go through `RPCEndpoint`, so they follow the HTTP rules
///   exactly (same pipeline, errors, logging, client ids echoed); each reply is one text
///   message on the same socket, and notifications get none.
/// - `eth_subscribe` (`newHeads`, `logs` with an optional address/topics filter) and
///   `eth_unsubscribe` go to the chain's `ClientSubscriptionRegistry`; parameters are checked
///   here (-32602 with the reason), and the two methods cannot be batched (-32600).
/// - An unknown chain or path gets one JSON-RPC error message, then the socket is closed with
///   4004 (`unknownEndpoint`); a message that is not text JSON-RPC gets the HTTP route's error.
/// - When a socket closes, its subscriptions are removed.
public final class ClientWebSocketEndpoint: Sendable {
    let configs: ConfigStore
    let names: ProcessNames
    let rpc: RPCEndpoint
    /// Where replies and events are sent.
    public let sockets: ClientSockets
    /// Open connections and the chain each one serves.
    private let chains = Mutex<[WebSocketConnectionID: String]>([:])

    public init(configs: ConfigStore, names: ProcessNames, rpc: RPCEndpoint, sockets: ClientSockets) {
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
        let open = chains.withLock { Array($0.keys) }
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
            chains.withLock { $0[connection] = chain.key }
        case .failure(let error):
            sockets.send(connection, JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest, message: error.message))
            sockets.close(connection, code: Self.unknownEndpoint)
        }
    }

    private func closed(_ connection: WebSocketConnectionID) {
        guard let chain = chains.withLock({ $0.removeValue(forKey: connection) }) else { return }
        ClientSubscriptionRegistry.running(chain: chain, names: names)?.cast(.disconnected(connection))
    }

    private func receive(_ connection: WebSocketConnectionID, _ message: WebSocketMessage) {
        guard let chain = chains.withLock({ $0[connection] }) else { return }
        let body = message.bytes
        switch JSONRPCScanner.scanBody(body) {
        case .request(let head) where head.method == "eth_subscribe" || head.method == "eth_unsubscribe":
            subscription(connection, chain: chain, head: head, body: body)
        case .batch(let ranges) where ranges.contains(where: { Self.isSubscriptionMethod(body, $0) }):
            sockets.send(connection, JSONRPCErrorBody.make(
                code: JSONRPCErrorBody.invalidRequest,
                message: "Invalid Request: eth_subscribe and eth_unsubscribe cannot be batched; send them alone"))
        default:
            let request = HTTPRequest(method: .post, path: "/rpc/\(chain)", body: body)
            rpc.handle(request) { [sockets] response in
                if !response.body.isEmpty { sockets.send(connection, response.body) }
            }
        }
    }

    private static func isSubscriptionMethod(_ body: [UInt8], _ range: Range<Int>) -> Bool {
        guard case .request(let head) = JSONRPCScanner.scanRequest(body, in: range) else { return false }
        return head.method == "eth_subscribe" || head.method == "eth_unsubscribe"
    }

    private func subscription(_ connection: WebSocketConnectionID, chain: String, head: JSONRPCRequestHead,
                              body: [UInt8]) {
        guard let idRange = head.id else {
            sockets.send(connection, JSONRPCErrorBody.make(
                code: JSONRPCErrorBody.invalidRequest,
                message: "Invalid Request: \(head.method) needs an id, its reply carries the subscription"))
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
