import Synchronization
import LassoTransport

/// `ws://host:port/ws/rpc/:chain` (a chain name or its numeric chain id), `/ws/rpc/:strategy/:chain`
/// and `/ws/rpc/provider/:provider_id/:chain`: JSON-RPC over a client WebSocket, on the same
/// listener as HTTP — the WebSocket adapter of `RPCService`.
///
/// - The path is resolved into an `RPCTarget` once, when the socket opens (the routes of
///   `POST /rpc/…` behind `/ws`); every message goes to that target, which follows the chain
///   across its restarts. Unary requests use its strategy or pinned provider; subscriptions
///   belong to the chain, whatever the route.
/// - Unary requests and batches go to `RPCService`, so they follow the HTTP rules exactly (same
///   pipeline, errors, logging, client ids echoed); each reply is one text message on the same
///   socket, and notifications get none. The body is scanned once, here.
/// - `eth_subscribe` (`newHeads`, `logs` with an optional address/topics filter) and
///   `eth_unsubscribe` are written straight into the chain's `SubscriptionTable` (a connection
///   holds at most `subscriptions.max_per_connection`, -32005 beyond); the key's
///   `StreamCoordinator` answers a subscribe, this adapter an unsubscribe. Parameters are
///   checked here (-32602 with the reason). Inside a batch they cannot be served: the service answers
///   each with its own -32600 entry of the batch's reply array, the rest of the batch is routed.
/// - An unknown path, strategy, chain or pinned provider gets one JSON-RPC error message naming
///   it, then the socket is closed with 4004 (`unknownEndpoint`); a message that is not text JSON-RPC gets the service's error.
/// - A connection has at most `maxInFlight` requests (a batch counts as one) being answered at
///   once; one more gets -32005 with its id (each element's, for a batch) instead of a pipeline
///   run, so a client that never waits for replies cannot pile up upstream work. An
///   `eth_subscribe` id is at most `maxSubscribeIDBytes` long (-32600 beyond): the registry
///   keeps it until the subscription is confirmed.
/// - When a socket closes, its subscriptions are removed; replies of requests still running
///   are dropped.
public final class ClientWebSocketEndpoint: Sendable {
    let names: ProcessNames
    let service: RPCService
    let tables: SubscriptionTables
    let configs: CurrentConfig
    /// Where replies and events are sent.
    public let sockets: ClientSockets
    /// Open connections: the target each one serves, and its requests being answered.
    private let clients = Mutex<[WebSocketConnectionID: Client]>([:])

    private struct Client {
        let target: RPCTarget
        var inFlight = 0
    }

    /// Whether a message may be answered now.
    private enum Admission {
        case admitted(RPCTarget)
        /// The connection already has `maxInFlight` requests being answered.
        case full
        /// The connection has closed (or never served a chain).
        case gone
    }

    /// Requests (or batches) one connection may have being answered at once.
    public static let maxInFlight = 100
    /// Bytes an `eth_subscribe` request's id may take.
    public static let maxSubscribeIDBytes = 128

    /// - Parameters:
    ///   - rpc: whose `service` answers the messages.
    ///   - names: where each chain's `ClientSubscriptionRegistry` is found.
    ///   - tables: where client subscriptions are kept.
    public init(names: ProcessNames, rpc: RPCEndpoint, sockets: ClientSockets, tables: SubscriptionTables,
                configs: CurrentConfig) {
        self.names = names
        service = rpc.service
        self.sockets = sockets
        self.tables = tables
        self.configs = configs
    }

    /// Distinct subscription keys (upstream subscriptions) one chain may follow.
    public static let maxKeys = 1_024

    /// Close code for a path that names no endpoint, or a strategy, chain or provider that is not configured.
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

    /// The route a `/ws/rpc/…` path names, or the error to close with.
    static func route(path: String) -> Result<RPCRoute, WebSocketPathError> {
        RPCRoute.match(webSocketPath: path).mapError { mismatch in
            switch mismatch {
            case .noRoute:
                WebSocketPathError(message: "no such endpoint: \(path.prefix(200)); use /ws/rpc/:chain, "
                                   + "/ws/rpc/:strategy/:chain or /ws/rpc/provider/:provider_id/:chain")
            case .unknownStrategy(let name):
                WebSocketPathError(message: "unknown strategy: \(name.prefix(100)); use "
                                   + SelectionStrategy.allCases.map(\.pathSegment).joined(separator: ", "))
            }
        }
    }

    struct WebSocketPathError: Error {
        var message: String
    }

    private func open(_ connection: WebSocketConnectionID, _ request: HTTPRequest) {
        let target = Self.route(path: request.path).flatMap { route in
            service.resolve(route).mapError { WebSocketPathError(message: $0.message) }
        }
        switch target {
        case .success(let target):
            clients.withLock { $0[connection] = Client(target: target) }
        case .failure(let error):
            sockets.send(connection, JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest, message: error.message))
            sockets.close(connection, code: Self.unknownEndpoint)
        }
    }

    private func closed(_ connection: WebSocketConnectionID) {
        guard let chain = clients.withLock({ $0.removeValue(forKey: connection)?.target.chain.key }) else { return }
        for coordinator in tables.existing(chain)?.disconnect(connection) ?? [] { coordinator.cast(.clientsChanged) }
    }

    private func receive(_ connection: WebSocketConnectionID, _ message: WebSocketMessage) {
        let body = message.bytes
        let scan = JSONRPCScanner.scanBody(body)
        if case .request(let head) = scan, RPCService.isSubscriptionMethod(head.method) {
            guard let target = clients.withLock({ $0[connection]?.target }) else { return }
            subscription(connection, target: target, head: head, body: body)
            return
        }
        switch admit(connection) {
        case .gone:
            return
        case .full:
            if let refusal = Self.tooManyInFlight(scan, body) { sockets.send(connection, refusal) }
        case .admitted(let target):
            service.handle(body, scan: scan, target: target, client: .webSocket) { [self] reply in
                guard answered(connection), !reply.body.isEmpty else { return }
                sockets.send(connection, reply.body)
            }
        }
    }

    /// Counts a request in for `connection`, if it is open and has fewer than `maxInFlight`.
    private func admit(_ connection: WebSocketConnectionID) -> Admission {
        clients.withLock { clients in
            guard let client = clients[connection] else { return .gone }
            guard client.inFlight < Self.maxInFlight else { return .full }
            clients[connection]?.inFlight += 1
            return .admitted(client.target)
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

    private func subscription(_ connection: WebSocketConnectionID, target: RPCTarget, head: JSONRPCRequestHead,
                              body: [UInt8]) {
        let chain = target.chain.key
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
        guard target.chain.board != nil else {
            sockets.send(connection, JSONRPCErrorBody.make(id: requestID, code: JSONRPCErrorBody.serverError,
                                                           message: "chain \(chain) is not running"))
            return
        }
        let table = tables.table(chain)
        if head.method == "eth_unsubscribe" {
            guard let id = Self.unsubscribeID(params) else {
                sockets.send(connection, JSONRPCErrorBody.make(
                    id: requestID, code: JSONRPCErrorBody.invalidParams,
                    message: "invalid argument 0: eth_unsubscribe takes [subscription id]"))
                return
            }
            let (owned, coordinator) = table.unsubscribe(connection: connection, id: id)
            var json = JSONWriter(capacity: 64 + requestID.count)
            json.beginObject()
            json.string("jsonrpc", "2.0")
            json.raw("id", requestID)
            json.bool("result", owned)
            json.endObject()
            sockets.send(connection, json.finish())
            coordinator?.cast(.clientsChanged)
            return
        }
        do throws(SubscriptionKey.InvalidParams) {
            let key = try SubscriptionKey.parse(params: params)
            let limit = configs.config.subscriptions.maxPerConnection
            switch table.subscribe(connection: connection, requestID: requestID, key: key, maxPerConnection: limit,
                                   maxKeys: Self.maxKeys) {
            case .refused(let code, let message):
                sockets.send(connection, JSONRPCErrorBody.make(id: requestID, code: code, message: message))
            case .added(_, let coordinator?):
                coordinator.cast(.clientsChanged)
            case .added(_, nil):
                // If the registry is down, its successor starts the coordinator from the table.
                ClientSubscriptionRegistry.running(chain: chain, names: names)?.cast(.keyAdded(key))
            }
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
