import LassoTransport

/// lassod's HTTP routes, wired to the endpoints.
///
/// `POST /rpc/…` runs on the event-loop thread end to end; `GET /api/…` asks processes, so it
/// answers from a task; `GET /metrics` renders in place.
public enum Routes {
    public static func router(rpc: RPCEndpoint, api: APIEndpoint, metrics: MetricsEndpoint) -> HTTPRouter {
        var router = HTTPRouter()
        router.add(.post, prefix: "/rpc/") { request, responder in
            rpc.handle(request) { responder.respond($0) }
        }
        router.add(.get, prefix: "/api/") { request, responder in
            Task {
                responder.respond(await api.handle(request)
                    ?? JSONRPCHTTPError.response(status: 404, message: "no such endpoint"))
            }
        }
        router.add(.get, "/metrics") { _, responder in
            responder.respond(metrics.handle())
        }
        return router
    }
}
