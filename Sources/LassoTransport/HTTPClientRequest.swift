/// One upstream POST from the moment it reaches the loop until it completes, exactly once.
///
/// Threading: loop thread only.
final class HTTPClientRequest {
    let url: UpstreamURL
    /// The request as it goes on the wire: head and body, built once.
    let bytes: [UInt8]
    /// Monotonic nanoseconds.
    let deadline: UInt64
    /// May be sent again on a fresh connection when a kept-alive one turns out to have been
    /// closed by the upstream before answering (no response byte arrived). Only for requests
    /// that are safe to repeat.
    let idempotent: Bool
    /// How many times it was sent.
    var attempts = 0
    private var completion: HTTPClient.Completion?

    init(url: UpstreamURL, bytes: [UInt8], deadline: UInt64, idempotent: Bool, completion: @escaping HTTPClient.Completion) {
        self.url = url
        self.bytes = bytes
        self.deadline = deadline
        self.idempotent = idempotent
        self.completion = completion
    }

    var isFinished: Bool { completion == nil }

    /// `host:port`, for errors (never the path or query: they may hold an API key).
    var address: String { url.description }

    func finish(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }

    /// The bytes of a POST of `body` to `url`, head and body together so they leave in one write.
    static func encode(url: UpstreamURL, body: [UInt8], headers: [(name: String, value: String)]) -> [UInt8] {
        var head = "POST \(url.pathAndQuery) HTTP/1.1\r\nhost: \(url.hostHeader)\r\n"
        var hasContentType = false
        for header in headers {
            let name = header.name.lowercased()
            if name == "content-length" || name == "host" || name == "transfer-encoding" || name == "connection" { continue }
            // A value with a line break would inject headers of its own.
            if header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) || !name.utf8.allSatisfy(HTTPFields.isTokenByte) { continue }
            if name == "content-type" { hasContentType = true }
            head += "\(name): \(header.value)\r\n"
        }
        if !hasContentType { head += "content-type: application/json\r\n" }
        head += "content-length: \(body.count)\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }
}
