/// lassod's HTTP routes, wired to the endpoints.
///
/// `POST /rpc/…` runs on the event-loop thread end to end; `GET /api/…` asks processes, so it
/// answers from a task; `GET /metrics` renders in place.
public enum Routes {
    /// Every request header the routes read, lower-case. The listener must capture each of them
    /// (`HTTPServer.Configuration.capturedHeaders`): libwebsockets 4.1 keeps headers it has no
    /// token for only when asked by name, and an uncaptured header is silently absent, which is
    /// how `X-Lasso-Include-Meta` came to be ignored over real sockets.
    public static let requestHeaders = [ClientMetadata.optInHeader.lowercased()]

    public static func router(rpc: RPCEndpoint, api: APIEndpoint, metrics: MetricsEndpoint) -> HTTPRouter {
        var router = HTTPRouter()
        router.add(.post, prefix: "/rpc/") { request, responder in
            rpc.handle(request) { responder.respond($0) }
        }
        router.add(.get, prefix: "/api/") { request, responder in
            Task {
                responder.respond(await api.handle(request)
                    ?? .jsonRPCError(status: 404, code: JSONRPCErrorBody.methodNotFound, message: "no such endpoint"))
            }
        }
        router.add(.get, "/metrics") { _, responder in
            responder.respond(metrics.handle())
        }
        return router
    }
}
