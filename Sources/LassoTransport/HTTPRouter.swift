/// A route handler. It runs on the event-loop thread and must not block; it answers through
/// the responder either before returning (the hot path: no thread hop) or later from any thread
/// (after an upstream round trip, say).
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// Maps method + path to a handler: exact paths first, then the longest matching prefix.
///
/// ```swift
/// var router = HTTPRouter()
/// router.add(.post, prefix: "/rpc/") { request, responder in responder.respond(.json(request.body)) }
/// router.add(.get, "/metrics") { _, responder in responder.respond(.text(metrics())) }
/// let match = router.match(.put, "/metrics")   // .methodNotAllowed(allowed: [.get]): 405
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
/// A path that matches a route for another method is answered 405, no match at all 404.
public struct HTTPRouter: Sendable {
    private struct Key: Hashable { let method: HTTPMethod; let path: String }
    private struct PrefixRoute { let method: HTTPMethod; let prefix: String; let handler: HTTPHandler }

    private var exact: [Key: HTTPHandler] = [:]
    private var exactPaths: Set<String> = []
    private var prefixes: [PrefixRoute] = []

    /// The outcome of routing one request.
    public enum Match {
        /// The route's handler.
        case handler(HTTPHandler)
        /// The path has routes, none for this method (405); these methods have one.
        case methodNotAllowed(allowed: [HTTPMethod])
        /// No route has this path (404).
        case notFound
    }

    /// An empty router: every request gets 404 until routes are added.
    public init() {}

    /// Routes `method` requests for exactly `path`.
    public mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping HTTPHandler) {
        exact[Key(method: method, path: path)] = handler
        exactPaths.insert(path)
    }

    /// Routes `method` requests whose path starts with `prefix`; longer prefixes win.
    public mutating func add(_ method: HTTPMethod, prefix: String, _ handler: @escaping HTTPHandler) {
        prefixes.append(PrefixRoute(method: method, prefix: prefix, handler: handler))
        prefixes.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
    }

    /// Finds the handler for a request.
    public func match(_ method: HTTPMethod, _ path: String) -> Match {
        if let handler = exact[Key(method: method, path: path)] { return .handler(handler) }
        for route in prefixes where route.method == method && path.hasPrefix(route.prefix) {
            return .handler(route.handler)
        }
        var allowed: Set<HTTPMethod> = []
        if exactPaths.contains(path) {
            for candidate in HTTPMethod.allCases where exact[Key(method: candidate, path: path)] != nil { allowed.insert(candidate) }
        }
        for route in prefixes where path.hasPrefix(route.prefix) { allowed.insert(route.method) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }
}
