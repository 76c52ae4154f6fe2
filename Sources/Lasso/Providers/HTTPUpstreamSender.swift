import LassoTransport

/// Sends JSON-RPC requests to providers' HTTP endpoints through the `HTTPClient` that the
/// tree's `HTTPClientPool` publishes: keep-alive connections, a pool per upstream, per-request
/// deadlines. A request the client drops because its pool process is being replaced
/// (`clientClosed`) fails as `abandoned`, which fails over without counting against the
/// breaker. With no client published at all (before the pool's first start, or after lassod
/// began shutting down) a request fails as `connectionClosed`.
///
/// Completions run on the event-loop thread, so the pipeline can answer the client there.
public final class HTTPUpstreamSender: Sendable {
    let clients: HTTPClientHandle

    public init(clients: HTTPClientHandle) {
        self.clients = clients
    }

    /// Posts `request` to `url`; `completion` is called exactly once.
    public func send(_ request: [UInt8], to url: UpstreamURL, timeout: Duration, idempotent: Bool,
                     completion: @escaping @Sendable (UpstreamReply) -> Void) {
        guard let client = clients.current else {
            completion(.failure(.connectionClosed))
            return
        }
        client.post(url, body: request, timeout: timeout, idempotent: idempotent) { result in
            switch result {
            case .success(let response):
                completion(.response(status: response.status, retryAfter: nil, body: response.body))
            case .failure(let error):
                completion(Self.reply(for: error))
            }
        }
    }

    /// The transport's verdict in the pipeline's terms. A non-2xx answer is still a response:
    /// its status and body decide between a provider fault, a rate limit and a caller fault.
    static func reply(for error: HTTPClientError) -> UpstreamReply {
        switch error {
        case .badStatus(let status, let body, let retryAfter): .response(status: status, retryAfter: retryAfter, body: body)
        case .dnsFailure: .failure(.dnsFailure)
        case .connectionRefused: .failure(.connectionRefused)
        case .tlsFailure: .failure(.tlsFailure)
        case .timeout: .failure(.timeout)
        case .truncatedBody: .failure(.truncated)
        case .responseTooLarge: .failure(.responseTooLarge)
        case .malformedResponse: .failure(.invalidResponse)
        case .clientClosed: .failure(.abandoned)
        case .connectionClosed: .failure(.connectionClosed)
        case .invalidURL, .loopStopped: .failure(.connectFailed)
        }
    }
}
