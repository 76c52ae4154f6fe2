import Supervision
import Synchronization
import LassoTransport

/// `POST /rpc/…`: turns an HTTP request into pipeline runs and their replies into one HTTP reply.
///
/// JSON-RPC 2.0 exactly: a body that is not JSON → -32700; JSON that is not a request → -32600
/// (with the client's id when it was readable); a notification → 204 and no body; a batch of
/// 1…100 requests → each routed on its own, answered in order in one array (notifications
/// omitted; all notifications → 204); an empty or oversized batch → -32600; an `eth_subscribe`
/// or `eth_unsubscribe` inside a batch → its own -32600 entry in the reply array (subscriptions
/// live on a WebSocket, one request at a time). These are HTTP 200,
/// like every JSON-RPC-level answer; an unknown chain or provider is HTTP 404 and a stopped
/// chain 503, each with a JSON-RPC error body.
///
/// Every routed request (each batch element too) is logged as one `rpc.request.completed` line
/// and counted for `/metrics`. `?include_meta=headers|body` (or `X-Lasso-Include-Meta`) adds the
/// routing metadata to a single request's reply.
public final class RPCEndpoint: Sendable {
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

    /// Answers `request`; `completion` is called exactly once, possibly on another thread.
    /// `clientTransport` is how the client reached lassod, for the request's log line.
    public func handle(_ request: HTTPRequest, clientTransport: TransportKind = .http,
                       completion: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let route = RPCRoute.parse(path: request.path) else {
            completion(Self.error(status: 404, code: JSONRPCErrorBody.methodNotFound, "no such endpoint: \(request.path)"))
            return
        }
        let config = configs.config
        guard let chain = config.chain(named: route.chain) else {
            completion(Self.error(status: 404, code: JSONRPCErrorBody.invalidRequest, "unknown chain: \(route.chain)"))
            return
        }
        if let pinned = route.pinnedProvider, chain.provider(id: pinned) == nil {
            completion(Self.error(status: 404, code: JSONRPCErrorBody.invalidRequest,
                                  "unknown provider \(pinned) on chain \(chain.key)"))
            return
        }
        guard let board = directory.board(for: chain.key) else {
            completion(Self.error(status: 503, code: JSONRPCErrorBody.serverError, "chain \(chain.key) is not running"))
            return
        }
        let strategy = route.strategy ?? config.selection.defaultStrategy
        let body = request.body
        let startedAt = clock.now().nanoseconds
        let digest = config.observability.includeParamsDigest
        let makeRequest = { [ids] (head: JSONRPCRequestHead, element: [UInt8]) in
            PipelineRequest(chain: chain, board: board, body: element, head: head, strategy: strategy,
                            pinnedProvider: route.pinnedProvider, requestID: ids.next(),
                            clientTransport: clientTransport, startedAtNanos: startedAt, includeParamsDigest: digest)
        }

        switch JSONRPCScanner.scanBody(body) {
        case .parseError:
            completion(Self.error(status: 200, code: JSONRPCErrorBody.parseError, "Parse error: the body is not valid JSON"))
        case .invalid(let invalid):
            completion(Self.reply(Self.invalidBody(invalid, in: body)))
        case .request(let head):
            let meta = ClientMetadata.mode(query: Substring(request.query),
                                           header: request.header("x-lasso-include-meta").map { Substring($0) })
            let maxMetaBytes = config.observability.maxMetaHeaderBytes
            pipeline.execute(makeRequest(head, body)) { outcome in
                self.record(outcome.context)
                guard let answer = outcome.body else {
                    completion(Self.noContent)
                    return
                }
                var reply = Self.reply(answer)
                switch meta {
                case .none: break
                case .headers:
                    reply.headers = ClientMetadata.headers(for: outcome.context, maxMetaHeaderBytes: maxMetaBytes)
                case .body:
                    reply.body = ClientMetadata.injectBody(answer, meta: ClientMetadata.json(for: outcome.context)) ?? answer
                }
                completion(reply)
            }
        case .batch(let ranges):
            guard !ranges.isEmpty else {
                completion(Self.error(status: 200, code: JSONRPCErrorBody.invalidRequest, "Invalid Request: empty batch"))
                return
            }
            guard ranges.count <= Self.maxBatchSize else {
                completion(Self.error(status: 200, code: JSONRPCErrorBody.invalidRequest,
                                      "Invalid Request: batch of \(ranges.count) exceeds the limit of \(Self.maxBatchSize)"))
                return
            }
            runBatch(body: body, ranges: ranges, makeRequest: makeRequest, completion: completion)
        }
    }

    /// Routes every element at once and answers when the last one is done, in request order.
    private func runBatch(body: [UInt8], ranges: [Range<Int>],
                         makeRequest: (JSONRPCRequestHead, [UInt8]) -> PipelineRequest,
                         completion: @escaping @Sendable (HTTPResponse) -> Void) {
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
            completion(Self.reply(array))
        }
        for (index, range) in ranges.enumerated() {
            let element = Array(body[range])
            switch JSONRPCScanner.scanBody(element) {
            case .request(let head) where Self.subscriptionMethods.contains(head.method):
                deliver(index, head.id.map { id in
                    JSONRPCErrorBody.make(id: element[id], code: JSONRPCErrorBody.invalidRequest,
                                          message: Self.batchedSubscriptionMessage(head.method))
                })
            case .request(let head):
                pipeline.execute(makeRequest(head, element)) { outcome in
                    self.record(outcome.context)
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

    /// The methods that open or close a subscription: only alone, over a client WebSocket.
    static let subscriptionMethods: Set<String> = ["eth_subscribe", "eth_unsubscribe"]

    /// The error a subscription method inside a batch gets, as its own entry of the reply.
    static func batchedSubscriptionMessage(_ method: String) -> String {
        "Invalid Request: \(method) cannot be batched; send it alone over a WebSocket (/ws/rpc/:chain)"
    }

    /// Logs and counts one finished request.
    private func record(_ context: RequestContext) {
        _ = observability?.logRequestCompleted(context)
        counters?.record(context)
        observer?.requestCompleted(context)
    }

    private static func invalidBody(_ invalid: JSONRPCInvalidRequest, in body: [UInt8]) -> [UInt8] {
        let id = invalid.id.map { Array(body[$0]) } ?? Array("null".utf8)
        return JSONRPCErrorBody.make(id: id, code: JSONRPCErrorBody.invalidRequest, message: invalid.message)
    }

    private static func reply(_ body: [UInt8]) -> HTTPResponse {
        .json(body)
    }

    /// A notification (or a batch of them) gets no body.
    static let noContent = HTTPResponse(status: 204, body: [])

    static func error(status: Int, code: Int, _ message: String) -> HTTPResponse {
        .json(JSONRPCErrorBody.make(code: code, message: message), status: status)
    }
}
