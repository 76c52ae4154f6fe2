import LassoTransport
/// Cross-origin resource sharing for the routes browsers call: what a preflight gets, and what
/// a real response carries, from `server.cors`. Pure: a request in, a response or headers out.
///
/// - **Preflight** (`OPTIONS` with `Origin`): `204` with `Access-Control-Allow-Origin`,
///   `-Allow-Methods` (the route's methods), `-Allow-Headers` (`allowed_headers`) and
///   `-Max-Age`, when the origin is allowed; without them when it is not, which the browser
///   reads as a refusal. Every `OPTIONS` answer also carries `Allow`.
/// - **Real responses**: `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers`
///   (`x-lasso-request-id`, `x-lasso-meta`, so a page can read the routing metadata) when the
///   origin is allowed.
/// - `Vary: Origin` on both whenever the answer depends on the origin (a list of origins), so
///   a shared cache never hands one site's answer to another. With `*` the answer is the same
///   for everyone and carries `Access-Control-Allow-Origin: *` even without `Origin`.
/// - `allowed_origins: []`: no CORS header at all.
///
/// ```swift
/// let cors = CORSPolicy(CORSConfig(allowedOrigins: ["https://app.example.org"]))
/// let preflight = cors.preflight(request, methods: [.post, .options])   // 204, allow-origin https://app.example.org …
/// let decorated = cors.decorate(response, for: request)                 // + allow-origin, expose-headers, vary
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct CORSPolicy: Sendable {
    /// Response headers a page may read besides the CORS-safelisted ones.
    public static let exposedHeaders = [ClientMetadata.requestIDHeader.lowercased(), ClientMetadata.metaHeader.lowercased()]
    /// `exposedHeaders` as the header value, joined once.
    private static let exposedHeadersValue = exposedHeaders.joined(separator: ", ")

    private let allowsAnyOrigin: Bool
    private let origins: Set<String>
    private let allowedHeaders: String
    private let maxAge: String

    /// The policy `config` describes.
    public init(_ config: CORSConfig) {
        allowsAnyOrigin = config.allowedOrigins.contains("*")
        origins = Set(config.allowedOrigins.map { $0.lowercased() })
        allowedHeaders = config.allowedHeaders.joined(separator: ", ")
        // The header counts whole seconds.
        maxAge = String(config.maxAge.components.seconds)
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`; `nil` when that
    /// origin may not read the reply.
    public func allowedOrigin(_ origin: String?) -> String? {
        if allowsAnyOrigin { return "*" }
        guard let origin, origins.contains(origin.lowercased()) else { return nil }
        return origin
    }

    /// The answer to an `OPTIONS` request on a route that serves `methods`.
    public func preflight(_ request: HTTPRequest, methods: [HTTPMethod]) -> HTTPResponse {
        let list = methods.map(\.rawValue).joined(separator: ", ")
        var headers = [(name: "Allow", value: list)]
        if let allowed = allowedOrigin(request.header("origin")) {
            headers += [("Access-Control-Allow-Origin", allowed), ("Access-Control-Allow-Methods", list),
                        ("Access-Control-Allow-Headers", allowedHeaders), ("Access-Control-Max-Age", maxAge)]
        }
        if variesByOrigin { headers.append(("Vary", "Origin")) }
        return HTTPResponse(status: 204, headers: headers, body: [])
    }

    /// `response` with the CORS headers a real response to `request` carries.
    public func decorate(_ response: HTTPResponse, for request: HTTPRequest) -> HTTPResponse {
        var response = response
        if let allowed = allowedOrigin(request.header("origin")) {
            response.headers += [("Access-Control-Allow-Origin", allowed),
                                 ("Access-Control-Expose-Headers", Self.exposedHeadersValue)]
        }
        if variesByOrigin { response.headers.append(("Vary", "Origin")) }
        return response
    }

    /// Whether the answer depends on the request's `Origin`: a list of origins, not `*`, not none.
    private var variesByOrigin: Bool { !allowsAnyOrigin && !origins.isEmpty }
}
