import Supervision
import Synchronization

/// Answers JSON-RPC request bodies for a chain, whatever transport carried them: the one core
/// that `RPCEndpoint` (HTTP) and `ClientWebSocketEndpoint` (client WebSockets) adapt.
///
/// `resolve(_:)` turns a route into an `RPCTarget` (once per HTTP request, once per WebSocket);
/// `handle(_:scan:target:client:completion:)` answers one body for that target:
///
/// ```swift
/// let target = try service.resolve(RPCRoute(chain: "ethereum")).get()
/// service.handle(body, target: target, client: .webSocket) { reply in send(reply.body) }
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
///
/// JSON-RPC 2.0 exactly: a body that is not JSON → -32700; JSON that is not a request → -32600
/// (with the client's id when it was readable); a notification → no body (`noContent`); a batch
/// of 1…100 requests → each routed on its own, answered in order in one array (notifications
/// omitted; all notifications → `noContent`); an empty or oversized batch → -32600.
/// Subscriptions live on a WebSocket, one request at a time, where its adapter serves them, so
/// `eth_subscribe` and `eth_unsubscribe` never reach the pipeline here: over HTTP, alone or in a
/// batch, each gets -32601 naming the WebSocket URL of the same route (`SubscriptionOverHTTP`);
/// inside a WebSocket batch, its own -32600 entry in the reply array. Like the other errors
/// answered before routing, these are neither logged nor counted. A chain that stopped since the target was resolved → `chainNotRunning` (or
/// `chainNotFound` if a reload removed it), each with a JSON-RPC error body.
///
/// Every routed request (each batch element too) is logged as one `rpc.request.completed` line
/// and counted for `/metrics`. A client that asked for metadata gets the routing summary of a
/// single request as `metadata` (headers) or inside the body.
public final class RPCService: Sendable {
    /// Requests one batch may hold.
    public static let maxBatchSize = 100

    let configs: CurrentConfig
    let directory: ChainDirectory
    let pipeline: RequestPipeline
    let clock: any RuntimeClock
    let observability: Logger?
    let counters: RequestCounters?
    let ids: RequestIDGenerator
    /// Told of each finished request after it is logged and counted (the dashboard's feed).
    let observer: (any RequestObserver)?

    public init(configs: CurrentConfig, directory: ChainDirectory, pipeline: RequestPipeline, clock: any RuntimeClock,
                observability: Logger? = nil, counters: RequestCounters? = nil,
                ids: RequestIDGenerator = RequestIDGenerator(), observer: (any RequestObserver)? = nil) {
        self.configs = configs
        self.directory = directory
        self.pipeline = pipeline
        self.clock = clock
        self.observability = observability
        self.counters = counters
        self.ids = ids
        self.observer = observer
    }

    /// The target `route` names in the current config: its chain (by key or chain id), strategy
    /// and pinned provider.
    public func resolve(_ route: RPCRoute) -> Result<RPCTarget, RPCRouteError> {
        guard let chain = configs.chain(named: route.chain) else { return .failure(.unknownChain(route.chain)) }
        if let pinned = route.pinnedProvider, chain.provider(id: pinned) == nil {
            return .failure(.unknownProvider(chain: chain.key, provider: pinned))
        }
        return .success(RPCTarget(chain: directory.entry(for: chain.key), strategy: route.strategy,
                                  pinnedProvider: route.pinnedProvider))
    }

    /// Answers `body` for `target`; `completion` is called exactly once, possibly on another
    /// thread. `scan` is the body's scan when the caller already has it (a WebSocket adapter
    /// looks for subscription methods first), so the body is scanned once.
    public func handle(_ body: [UInt8], scan: JSONRPCBodyScan? = nil, target: RPCTarget, client: RPCClient,
                       completion: @escaping @Sendable (RPCReply) -> Void) {
        guard let board = target.chain.board else {
            // A single request gets its own id back, so that a client can tell what failed.
            var id: [UInt8]?
            if case .request(let head) = scan ?? JSONRPCScanner.scanBody(body), let range = head.id { id = Array(body[range]) }
            completion(unavailable(target.chain.key, id: id))
            return
        }
        // One read of the config for the whole body: the default strategy applies to the next
        // request after a reload, as `selection` is documented to.
        let settings = configs.snapshot
        let strategy = target.strategy ?? settings.config.selection.defaultStrategy
        let startedAt = clock.now().nanoseconds
        let digest = settings.config.observability.includeParamsDigest
        switch scan ?? JSONRPCScanner.scanBody(body) {
        case .parseError:
            completion(Self.answer(JSONRPCErrorBody.make(code: JSONRPCErrorBody.parseError,
                                                         message: "Parse error: the body is not valid JSON")))
        case .invalid(let invalid):
            completion(Self.answer(Self.invalidBody(invalid, in: body)))
        case .request(let head) where client.transport == .http && Self.isSubscriptionMethod(head.method):
            completion(head.id.map { id in
                Self.answer(JSONRPCErrorBody.make(id: body[id], code: JSONRPCErrorBody.methodNotFound,
                                                  message: SubscriptionOverHTTP.message(method: head.method, host: client.host,
                                                                                        target: target)))
            } ?? Self.noContent)
        case .request(let head):
            let request = PipelineRequest(board: board, body: body, head: head, strategy: strategy,
                                          pinnedProvider: target.pinnedProvider, requestID: ids.next(),
                                          clientTransport: client.transport, startedAtNanos: startedAt,
                                          includeParamsDigest: digest)
            let meta = client.meta
            let maxMetaBytes = settings.config.observability.maxMetaHeaderBytes
            pipeline.execute(request) { [self] outcome in
                record(outcome.context)
                guard let answer = outcome.body else {
                    completion(Self.noContent)
                    return
                }
                switch meta {
                case .none:
                    completion(Self.answer(answer))
                case .headers:
                    completion(RPCReply(status: .answered, body: answer,
                                        metadata: ClientMetadata.headers(for: outcome.context, maxMetaHeaderBytes: maxMetaBytes)))
                case .body:
                    completion(Self.answer(ClientMetadata.injectBody(answer, meta: ClientMetadata.json(for: outcome.context))
                                               ?? answer))
                }
            }
        case .batch(let ranges):
            guard !ranges.isEmpty else {
                completion(Self.answer(JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest,
                                                             message: "Invalid Request: empty batch")))
                return
            }
            guard ranges.count <= Self.maxBatchSize else {
                completion(Self.answer(JSONRPCErrorBody.make(
                    code: JSONRPCErrorBody.invalidRequest,
                    message: "Invalid Request: batch of \(ranges.count) exceeds the limit of \(Self.maxBatchSize)")))
                return
            }
            let refusal = { (method: String) -> (code: Int, message: String) in
                client.transport == .http
                    ? (JSONRPCErrorBody.methodNotFound,
                       SubscriptionOverHTTP.message(method: method, host: client.host, target: target))
                    : (JSONRPCErrorBody.invalidRequest, Self.batchedSubscriptionMessage(method))
            }
            runBatch(body: body, ranges: ranges, subscriptionRefusal: refusal, completion: completion) { [ids] head, element in
                PipelineRequest(board: board, body: element, head: head, strategy: strategy,
                                pinnedProvider: target.pinnedProvider, requestID: ids.next(),
                                clientTransport: client.transport, startedAtNanos: startedAt, includeParamsDigest: digest)
            }
        }
    }

    /// Routes every element at once and answers when the last one is done, in request order;
    /// a subscription method gets the error `subscriptionRefusal` gives its method instead.
    private func runBatch(body: [UInt8], ranges: [Range<Int>],
                          subscriptionRefusal: (String) -> (code: Int, message: String),
                          completion: @escaping @Sendable (RPCReply) -> Void,
                          makeRequest: (JSONRPCRequestHead, [UInt8]) -> PipelineRequest) {
        let results = Mutex<(answers: [[UInt8]?], pending: Int)>((Array(repeating: nil, count: ranges.count), ranges.count))
        let deliver: @Sendable (Int, [UInt8]?) -> Void = { index, answer in
            let finished: [[UInt8]?]? = results.withLock { state in
                state.answers[index] = answer
                state.pending -= 1
                return state.pending == 0 ? state.answers : nil
            }
            guard let finished else { return }
            let answers = finished.compactMap { $0 }
            guard !answers.isEmpty else {
                completion(Self.noContent)
                return
            }
            var array: [UInt8] = [UInt8(ascii: "[")]
            for (position, answer) in answers.enumerated() {
                if position > 0 { array.append(UInt8(ascii: ",")) }
                array.append(contentsOf: answer)
            }
            array.append(UInt8(ascii: "]"))
            completion(Self.answer(array))
        }
        for (index, range) in ranges.enumerated() {
            let element = Array(body[range])
            switch JSONRPCScanner.scanBody(element) {
            case .request(let head) where Self.isSubscriptionMethod(head.method):
                deliver(index, head.id.map { id in
                    let refusal = subscriptionRefusal(head.method)
                    return JSONRPCErrorBody.make(id: element[id], code: refusal.code, message: refusal.message)
                })
            case .request(let head):
                pipeline.execute(makeRequest(head, element)) { [self] outcome in
                    record(outcome.context)
                    deliver(index, outcome.body)
                }
            case .invalid(let invalid):
                deliver(index, Self.invalidBody(invalid, in: element))
            case .batch, .parseError:
                deliver(index, JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest,
                                                     message: "Invalid Request: a batch element must be a request object"))
            }
        }
    }

    /// Whether `method` opens or closes a subscription: served only alone, over a client WebSocket.
    /// Two comparisons, not a set: every WebSocket message asks.
    static func isSubscriptionMethod(_ method: String) -> Bool {
        method == "eth_subscribe" || method == "eth_unsubscribe"
    }

    /// The error a subscription method inside a client WebSocket's batch gets, as its own
    /// entry of the reply.
    static func batchedSubscriptionMessage(_ method: String) -> String {
        "Invalid Request: \(method) cannot be batched; send it alone over a WebSocket (/ws/rpc/:chain)"
    }

    /// The answer for a target whose chain does not run now.
    private func unavailable(_ chain: String, id: [UInt8]?) -> RPCReply {
        func error(_ code: Int, _ message: String) -> [UInt8] {
            id.map { JSONRPCErrorBody.make(id: $0, code: code, message: message) } ?? JSONRPCErrorBody.make(code: code, message: message)
        }
        guard configs.chain(named: chain) != nil else {
            return RPCReply(status: .chainNotFound, body: error(JSONRPCErrorBody.invalidRequest, "unknown chain: \(chain)"))
        }
        return RPCReply(status: .chainNotRunning, body: error(JSONRPCErrorBody.serverError, "chain \(chain) is not running"))
    }

    /// Logs and counts one finished request, then tells the observer.
    private func record(_ context: RequestContext) {
        _ = observability?.logRequestCompleted(context)
        counters?.record(context)
        observer?.requestCompleted(context)
    }

    private static func invalidBody(_ invalid: JSONRPCInvalidRequest, in body: [UInt8]) -> [UInt8] {
        let id = invalid.id.map { Array(body[$0]) } ?? Array("null".utf8)
        return JSONRPCErrorBody.make(id: id, code: JSONRPCErrorBody.invalidRequest, message: invalid.message)
    }

    private static func answer(_ body: [UInt8]) -> RPCReply {
        RPCReply(status: .answered, body: body)
    }

    /// A notification (or a batch of them) gets no body.
    static let noContent = RPCReply(status: .noContent, body: [])
}
