import LassoTransport

/// The dashboard's HTTP routes: `GET /` and `GET /dashboard` (the page), `/dashboard/app.js`
/// and `/dashboard/app.css`, all embedded in the binary; the actions `POST /dashboard/admin`
/// and `POST /dashboard/load` (`DashboardActions`). The live state comes over
/// `WS /ws/dashboard` (`DashboardHub`).
///
/// Pages are served with a Content-Security-Policy that allows only this origin (no inline
/// code, no third-party host) and `no-store`, so a browser never shows a stale page against a
/// newer daemon.
enum DashboardRoutes {
    static let securityHeaders: [(name: String, value: String)] = [
        ("content-security-policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ]

    static func add(to router: inout HTTPRouter, hub: DashboardHub, rpc: RPCEndpoint) {
        let page = asset(DashboardPage.html, type: "text/html; charset=utf-8")
        router.add(.get, "/") { _, responder in responder.respond(page) }
        router.add(.get, "/dashboard") { _, responder in responder.respond(page) }
        let script = asset(DashboardScript.javascript, type: "text/javascript; charset=utf-8")
        router.add(.get, "/dashboard/app.js") { _, responder in responder.respond(script) }
        let style = asset(DashboardStyle.css, type: "text/css; charset=utf-8")
        router.add(.get, "/dashboard/app.css") { _, responder in responder.respond(style) }
        let actions = DashboardActions(hub: hub, rpc: rpc)
        router.add(.post, "/dashboard/admin") { request, responder in actions.admin(request) { responder.respond($0) } }
        router.add(.post, "/dashboard/load") { request, responder in actions.load(request) { responder.respond($0) } }
        router.add(.post, "/dashboard/simulate") { request, responder in actions.simulate(request) { responder.respond($0) } }
    }

    /// A static reply, built once.
    static func asset(_ text: String, type: String) -> HTTPResponse {
        HTTPResponse(status: 200, contentType: type, headers: securityHeaders, body: Array(text.utf8))
    }
}
