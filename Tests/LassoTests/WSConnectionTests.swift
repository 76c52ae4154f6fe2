import Synchronization
import Testing
@testable import Lasso
import LassoTransport
import Supervision

@Suite(.serialized) struct WSConnectionTests {
    struct Drill: Error {}

    /// Sends one request over `connection` and returns its reply.
    static func send(_ connection: ServerRef<WSConnection>, _ body: String) async -> UpstreamReply {
        await withCheckedContinuation { continuation in
            connection.cast(.send(body: Array(body.utf8), timeout: .seconds(30)) { continuation.resume(returning: $0) })
        }
    }

    @Test func requestsInFlightWhenTheProcessStopsAreAbandonedNotBlamedOnTheProvider() async throws {
        let loop = try EventLoop()
        let upstream = try SimulatedProviderServer(
            provider: SimulatedProvider(id: "alpha", chain: SimulatedChain(chainID: 1, blockIntervalMs: 12_000)), loop: loop)
        let url = try #require(UpstreamURL(upstream.webSocketURL))
        let connection = try await ServerRef.start(label: "WSConnection(alpha)", runtime: Runtime()) {
            WSConnection(chain: "ethereum", provider: "alpha", url: url, loop: loop, names: ProcessNames())
        }
        let request = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        // Until the socket is up a request fails at once as connectionClosed; then it is answered.
        try await waitUntil {
            if case .response = await Self.send(connection, request) { return true }
            return false
        }

        upstream.provider.behavior = .hanging
        let before = upstream.provider.requestCounts["eth_chainId"] ?? 0
        let outcome = Mutex<UpstreamReply?>(nil)
        connection.cast(.send(body: Array(request.utf8), timeout: .seconds(30)) { reply in outcome.withLock { $0 = reply } })
        try await waitUntil { upstream.provider.requestCounts["eth_chainId"] == before + 1 }

        connection.process.stop(.failed(Drill()))
        try await waitUntil { outcome.withLock { $0 } != nil }
        guard case .failure(.abandoned)? = outcome.withLock({ $0 }) else {
            Issue.record("a request in flight when the process stopped ended as \(String(describing: outcome.withLock { $0 }))")
            return
        }
        upstream.stop()
        loop.stop()
    }
}
