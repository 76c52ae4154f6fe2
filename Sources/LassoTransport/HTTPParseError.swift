/// Why a request (or response) head or body was rejected, with the status a server answers.
///
/// Each case maps to one status; the message is short, fixed text (never the client's bytes).
enum HTTPParseError: Error, Equatable {
    /// Malformed syntax or forbidden combinations (both `Content-Length` and
    /// `Transfer-Encoding`, a missing `Host`, obsolete line folding…): 400.
    case badRequest(String)
    /// The request line exceeds the server's limit: 414.
    case uriTooLong
    /// The head exceeds the server's limits (size or header count): 431.
    case headersTooLarge
    /// The body exceeds the server's limit: 413.
    case payloadTooLarge
    /// A method or transfer coding the server does not implement: 501.
    case notImplemented(String)
    /// An HTTP major version other than 1: 505.
    case versionNotSupported
    /// An `Expect` other than `100-continue`: 417.
    case expectationFailed
    /// The head or body did not arrive in time: 408.
    case requestTimeout

    /// The status a server answers with.
    var status: Int {
        switch self {
        case .badRequest: 400
        case .uriTooLong: 414
        case .headersTooLarge: 431
        case .payloadTooLarge: 413
        case .notImplemented: 501
        case .versionNotSupported: 505
        case .expectationFailed: 417
        case .requestTimeout: 408
        }
    }

    /// A short explanation for the response body.
    var message: String {
        switch self {
        case .badRequest(let reason): reason
        case .uriTooLong: "request line too long"
        case .headersTooLarge: "request header fields too large"
        case .payloadTooLarge: "request body too large"
        case .notImplemented(let what): "\(what) not implemented"
        case .versionNotSupported: "HTTP version not supported"
        case .expectationFailed: "expectation not supported"
        case .requestTimeout: "request timeout"
        }
    }
}
