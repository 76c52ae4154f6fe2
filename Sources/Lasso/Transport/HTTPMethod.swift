/// The request methods the server recognises; anything else is answered 405 by lws or the router.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"
    case head = "HEAD"

    /// Methods whose request carries a body that the server reads before dispatching.
    var hasBody: Bool { self == .post || self == .put || self == .patch }
}
