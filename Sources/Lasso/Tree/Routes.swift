import LassoTransport

/// lassod's HTTP routes, wired to the endpoints.
///
/// `POST /rpc/…` runs on the event-loop thread end to end; `GET /api/…` asks processes, so it
/// answers from a task; `GET /metrics` renders in place. Each of them also answers `OPTIONS`
/// (a browser's CORS preflight) and has its replies marked for browsers, both by `cors`; these
/// are all the HTTP routes there are besides the dashboard's (`DashboardRoutes`); admin commands go
/// over the admin Unix socket.
public enum Routes {
    /// The routes, with `cors` applied to each (the default allows every origin).
    public static func router(rpc: RPCEndpoint, api: APIEndpoint, metrics: MetricsEndpoint,
                              cors: CORSPolicy = CORSPolicy(CORSConfig()), dashboard: DashboardHub? = nil) -> HTTPRouter {
        var router = HTTPRouter()
        // `GET /`, `/dashboard` and its assets and actions: same-origin only, no CORS marks.
        if let dashboard { DashboardRoutes.add(to: &router, hub: dashboard, rpc: rpc) }
        router.add(.post, prefix: "/rpc/") { request, responder in
            rpc.handle(request) { responder.respond(cors.decorate($0, for: request)) }
        }
        router.add(.options, prefix: "/rpc/") { request, responder in
            responder.respond(cors.preflight(request, methods: [.post, .options]))
        }
        router.add(.get, prefix: "/api/") { request, responder in
            Task {
                let response = await api.handle(request) ?? JSONRPCHTTPError.response(status: 404, message: "no such endpoint")
                responder.respond(cors.decorate(response, for: request))
            }
        }
        router.add(.options, prefix: "/api/") { request, responder in
            responder.respond(cors.preflight(request, methods: [.get, .head, .options]))
        }
        router.add(.get, "/metrics") { request, responder in
            responder.respond(cors.decorate(metrics.handle(), for: request))
        }
        router.add(.options, "/metrics") { request, responder in
            responder.respond(cors.preflight(request, methods: [.get, .head, .options]))
        }
        return router
    }
}
