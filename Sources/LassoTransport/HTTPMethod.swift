/// The request methods the server recognises; any other method token is answered 501.
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
}
