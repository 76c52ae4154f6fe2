/// `server.cors:` — which web pages may call lassod from a browser (CORS).
///
/// Applied to the JSON-RPC routes (`/rpc/…`) and the read-only API (`/api/…`, `/metrics`); the
/// admin commands are not HTTP routes at all (they live on the admin Unix socket), so no
/// origin can reach them. The defaults let any page call lassod, as a public JSON-RPC endpoint
/// is meant to be called; list origins to restrict it, or `[]` to send no CORS headers.
///
/// ```yaml
/// server:
///   cors:
///     allowed_origins: ["https://app.example.org", "http://localhost:5173"]
///     allowed_headers: [content-type, x-lasso-include-meta]
///     max_age_seconds: 600
/// ```
public struct CORSConfig: Sendable, Equatable {
    /// Origins allowed to read replies: `["*"]` (any, the default), exact origins
    /// (`scheme://host[:port]`, compared without regard to case), or `[]` for none.
    public var allowedOrigins: [String]
    /// Request headers a page may send, answered in preflights. Default `content-type` and
    /// `x-lasso-include-meta`.
    public var allowedHeaders: [String]
    /// How long a browser may cache a preflight answer (`max_age_seconds`). Default 10 minutes.
    public var maxAge: Duration

    /// Creates a CORS section; the defaults are those of an absent `cors:`.
    public init(allowedOrigins: [String] = ["*"], allowedHeaders: [String] = ["content-type", "x-lasso-include-meta"],
                maxAge: Duration = .seconds(600)) {
        self.allowedOrigins = allowedOrigins
        self.allowedHeaders = allowedHeaders
        self.maxAge = maxAge
    }

    static let keys = ["allowed_origins", "allowed_headers", "max_age_seconds"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = CORSConfig()
        var origins = decoder.strings(fields, "allowed_origins", Self.origin) ?? defaults.allowedOrigins
        if origins.count > 1 && origins.contains("*") {
            decoder.report(fields.path("allowed_origins"), "* allows every origin: list it alone",
                           line: fields.values["allowed_origins"]?.line)
            origins = defaults.allowedOrigins
        }
        let headers = decoder.strings(fields, "allowed_headers", Self.headerName)
        self.init(allowedOrigins: origins, allowedHeaders: headers ?? defaults.allowedHeaders,
                  maxAge: decoder.seconds(fields, "max_age_seconds", in: 0...86_400) ?? defaults.maxAge)
    }

    /// `*`, or an origin as browsers send it: `http` or `https`, a host, an optional port, no
    /// path; kept lower-case, as browsers serialise scheme and host.
    static func origin(_ text: String) -> Result<String, ConfigValueProblem> {
        if text == "*" { return .success(text) }
        let problem = ConfigValueProblem(message: "not an origin (expected * or http(s)://host[:port], without a path)")
        let lowered = text.lowercased()
        guard let schemeEnd = lowered.range(of: "://"),
              ["http", "https"].contains(lowered[..<schemeEnd.lowerBound]) else { return .failure(problem) }
        let authority = lowered[schemeEnd.upperBound...]
        guard !authority.isEmpty, !authority.contains(where: { "/?#@ ".contains($0) }) else { return .failure(problem) }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port),
                  colon != authority.startIndex else { return .failure(problem) }
        }
        return .success(lowered)
    }

    /// A header name (RFC 9110 token), kept lower-case.
    static func headerName(_ text: String) -> Result<String, ConfigValueProblem> {
        let allowed = Set("!#$%&'*+-.^_`|~".utf8)
        guard !text.isEmpty, text.utf8.allSatisfy({ byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || allowed.contains(byte)
        }) else { return .failure(ConfigValueProblem(message: "not a header name")) }
        return .success(text.lowercased())
    }
}
