import Synchronization
import LassoTransport

/// Sends JSON-RPC requests to providers' HTTP endpoints through the `HTTPClient` that the
/// tree's `HTTPClientPool` publishes: keep-alive connections, a pool per upstream, per-request
/// deadlines. While the pool restarts there is no client, and a request fails as
/// `connectionClosed`, like one the old client was carrying.
///
/// Completions run on the event-loop thread, so the pipeline can answer the client there.
/// Channels of other transports are refused as connection failures; the pipeline then fails
/// over, which is what a channel that cannot be reached deserves.
public final class HTTPUpstreamSender: UpstreamSender {
    let clients: HTTPClientHandle
    let configs: CurrentConfig
    /// Parsed URLs by their text, so a request does not parse its provider's URL again.
    private let parsed = Mutex<[String: UpstreamURL]>([:])

    public init(clients: HTTPClientHandle, configs: CurrentConfig) {
        self.clients = clients
        self.configs = configs
    }

    public func send(_ request: [UInt8], chain: String, over channel: Channel, timeout: Duration, idempotent: Bool,
                     completion: @escaping @Sendable (UpstreamReply) -> Void) {
        guard channel.transport == .http, let provider = configs.provider(chain: chain, id: channel.providerID),
              let url = url(provider.url) else {
            completion(.failure(.connectFailed))
            return
        }
        guard let client = clients.current else {
            completion(.failure(.connectionClosed))
            return
        }
        let (seconds, attoseconds) = timeout.components
        client.post(url, body: request, timeout: Double(seconds) + Double(attoseconds) / 1e18, idempotent: idempotent) { result in
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

    private func url(_ text: String) -> UpstreamURL? {
        if let known = parsed.withLock({ $0[text] }) { return known }
        guard let url = UpstreamURL(text) else { return nil }
        parsed.withLock { $0[text] = url }
        return url
    }
}
