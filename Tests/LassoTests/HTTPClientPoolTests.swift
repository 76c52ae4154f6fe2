import Synchronization
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

@Suite(.serialized) struct HTTPClientPoolTests {
    struct Drill: Error {}

    @Test func aCrashFailsRequestsInFlightAsAbandonedAndTheSuccessorsClientServesNewOnes() async throws {
        let loop = try EventLoop()
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
        let upstream = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
        let handle = HTTPClientHandle()
        let root = try await Supervisor.start(name: "Application", children: [
            HTTPClientPool.childSpec(group: EventLoopGroup(loop), configuration: .init(), handle: handle),
        ], runtime: Runtime())
        let first = try #require(handle.current)
        let url = try #require(UpstreamURL(upstream.url))
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#.utf8)
        _ = try await first.post(url, body: body)

        // A request the upstream never answers is in flight when the pool crashes.
        upstream.provider.behavior = .hanging
        let outcome = Mutex<Result<HTTPClientResponse, HTTPClientError>?>(nil)
        first.post(url, body: body, timeout: .seconds(30)) { result in outcome.withLock { $0 = result } }
        try #require(await waitFor { upstream.provider.requestCounts["eth_chainId"] == 2 })
        let pool = try #require(try await root.whichChildren().first?.process)
        pool.stop(.failed(Drill()))

        try #require(await waitFor { outcome.withLock { $0 } != nil })
        guard case .failure(.clientClosed)? = outcome.withLock({ $0 }) else {
            Issue.record("the request in flight did not fail as abandoned by a closed client: \(String(describing: outcome.withLock { $0 }))")
            return
        }
        let second = try #require(handle.current)
        #expect(second !== first)
        let owned = try #require(try await root.whichChildren().first?.process?.server(HTTPClientPool.self))
        #expect(try await owned.call(.client) === second)
        upstream.provider.behavior = .healthy
        let answer = try await second.post(url, body: body)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        do {
            _ = try await first.post(url, body: body)
            Issue.record("the replaced client still sends")
        } catch {
            #expect(error == .clientClosed(address: url.description))
        }

        // A normal stop withdraws the client.
        await root.stop()
        #expect(handle.current == nil)
        upstream.stop()
        loop.stop()
    }
}
