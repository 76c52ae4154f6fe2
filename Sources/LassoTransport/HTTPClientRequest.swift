/// One upstream POST from the moment it reaches the loop until it completes, exactly once.
///
/// Threading: loop thread only. A passive record with no loop of its own to check against: it
/// is built on the loop and handed straight to ``HTTPClientState/start(_:address:)``, and only
/// the state, its ``UpstreamPool`` and their ``HTTPClientConnection``s touch it, each of which
/// checks the thread at its entries. Holding the core here only for the check would cost every
/// request a reference count in release builds.
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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(url.postPrefix.count + 96 + body.count)
        bytes.append(contentsOf: url.postPrefix)
        var hasContentType = false
        for header in headers {
            let name = header.name.lowercased()
            if name == "content-length" || name == "host" || name == "transfer-encoding" || name == "connection" { continue }
            // A value with a line break would inject headers of its own.
            if header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) || !name.utf8.allSatisfy(HTTPFields.isTokenByte) { continue }
            if name == "content-type" { hasContentType = true }
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: Self.separator)
            bytes.append(contentsOf: header.value.utf8)
            bytes.append(contentsOf: Self.lineEnd)
        }
        if !hasContentType { bytes.append(contentsOf: Self.jsonContentType) }
        bytes.append(contentsOf: Self.contentLength)
        HTTPDigits.append(body.count, to: &bytes)
        bytes.append(contentsOf: Self.headEnd)
        bytes.append(contentsOf: body)
        return bytes
    }

    private static let separator: [UInt8] = Array(": ".utf8)
    private static let lineEnd: [UInt8] = Array("\r\n".utf8)
    private static let jsonContentType: [UInt8] = Array("content-type: application/json\r\n".utf8)
    private static let contentLength: [UInt8] = Array("content-length: ".utf8)
    private static let headEnd: [UInt8] = Array("\r\n\r\n".utf8)
}
