/// The request methods the server recognises; anything else is answered 405 by lws or the router.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    /// GET: dashboards, JSON APIs, metrics, WebSocket upgrades.
    case get = "GET"
    /// POST: JSON-RPC.
    case post = "POST"
    /// PUT.
    case put = "PUT"
    /// PATCH.
    case patch = "PATCH"
    /// DELETE.
    case delete = "DELETE"
    /// OPTIONS (CORS preflight).
    case options = "OPTIONS"
    /// HEAD.
    case head = "HEAD"

    /// Methods whose request carries a body that the server reads before dispatching.
    var hasBody: Bool { self == .post || self == .put || self == .patch }
}
