/// How the body of an HTTP/1.1 message is delimited (RFC 9112 §6).
enum HTTPBodyFraming: Equatable {
    /// No body.
    case none
    /// Exactly this many bytes.
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
    /// Everything until the connection closes (responses only).
    case untilClose
}
