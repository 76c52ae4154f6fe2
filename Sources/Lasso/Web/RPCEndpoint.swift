import Supervision
import LassoTransport

/// `POST /rpc/…`: the HTTP adapter of `RPCService`.
///
/// It resolves the path (`RPCRoute`) into a target, reads the metadata the client asked for
/// (`?include_meta=headers|body` or `X-Lasso-Include-Meta`), hands the body to the service, and
/// turns its reply into HTTP: every JSON-RPC-level answer is HTTP 200, a notification (or a
/// batch of them) 204 with no body; a path that is no RPC route, an unknown chain or an
/// unknown pinned provider is 404, a chain that is not running 503, each with a JSON-RPC error
/// body. What the body gets — errors, batches, logging — is the service's (see `RPCService`);
/// the `Host` header goes with it, to name the WebSocket URL `eth_subscribe` is referred to.
public final class RPCEndpoint: Sendable {
    /// Requests one batch may hold.
    public static let maxBatchSize = RPCService.maxBatchSize

    /// The transport-neutral core, shared with the client WebSocket endpoint.
    public let service: RPCService

    public init(configs: CurrentConfig, directory: ChainDirectory, pipeline: RequestPipeline, clock: any RuntimeClock,
                observability: Logger? = nil, counters: RequestCounters? = nil,
                ids: RequestIDGenerator = RequestIDGenerator(), observer: (any RequestObserver)? = nil) {
        service = RPCService(configs: configs, directory: directory, pipeline: pipeline, clock: clock,
                             observability: observability, counters: counters, ids: ids, observer: observer)
    }

    /// Answers `request`; `completion` is called exactly once, possibly on another thread.
    public func handle(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let route = RPCRoute.parse(path: request.path) else {
            completion(Self.error(status: 404, code: JSONRPCErrorBody.methodNotFound, "no such endpoint: \(request.path)"))
            return
        }
        let target: RPCTarget
        switch service.resolve(route) {
        case .success(let resolved):
            target = resolved
        case .failure(let error):
            completion(Self.error(status: 404, code: JSONRPCErrorBody.invalidRequest, error.message))
            return
        }
        let meta = ClientMetadata.mode(query: Substring(request.query),
                                       header: request.header("x-lasso-include-meta").map { Substring($0) })
        service.handle(request.body, target: target, client: RPCClient(transport: .http, meta: meta, host: request.header("host"))) { reply in
            completion(Self.response(reply))
        }
    }

    /// The service's reply as HTTP.
    static func response(_ reply: RPCReply) -> HTTPResponse {
        switch reply.status {
        case .answered: return HTTPResponse(status: 200, headers: reply.metadata, body: reply.body)
        case .noContent: return HTTPResponse(status: 204, body: [])
        case .chainNotFound: return .json(reply.body, status: 404)
        case .chainNotRunning: return .json(reply.body, status: 503)
        }
    }

    static func error(status: Int, code: Int, _ message: String) -> HTTPResponse {
        .json(JSONRPCErrorBody.make(code: code, message: message), status: status)
    }
}
