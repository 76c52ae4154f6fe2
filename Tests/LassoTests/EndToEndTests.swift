import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// lassod in front of simulated providers, over real loopback sockets.
@Suite(.serialized) struct EndToEndTests {
    /// alpha (priority 1) and beta (priority 2) on chain `ethereum`.
    static func stack() async throws -> LassoHarness {
        try await LassoHarness(providers: [.init(id: "alpha", fields: "priority: 1"), .init(id: "beta", fields: "priority: 2")])
    }

    @Test func aRateLimitedProviderCoolsDownForItsRetryAfter() async throws {
        let stack = try await Self.stack()
        stack.provider("alpha").behavior = .rateLimited(retryAfterSeconds: 30)
        let sent = SystemClock.shared.now()
        let answer = try await stack.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(answer == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let board = try #require(stack.app.services.directory.board(for: "ethereum"))
        _ = try #require(stack.app.services.breakers.breaker(chain: "ethereum", channel: Channel(providerID: "alpha", transport: .http)))
        // The verdict reaches the breaker through the batching recorder, after the reply: a call
        // to the breaker is no barrier for it. Wait for the cooldown the breaker publishes.
        let cooldown = try #require(await waitFor { board.snapshot.providers.first { $0.id == "alpha" }?.http.cooldownUntil })
        // Retry-After said 30 s, counted from the reply (which came after `sent`); the default
        // cooldown would be about 1 s.
        #expect(cooldown.milliseconds(since: sent) >= 30_000)
        await stack.shutdown()
    }

    @Test func proxiesFailsOverReportsAndNeverLeaksTheKey() async throws {
        let stack = try await Self.stack()
        let answer = try await stack.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":"a","method":"eth_chainId","params":[]}"#)
        #expect(answer == #"{"jsonrpc":"2.0","id":"a","result":"0x1"}"#)
        #expect(stack.provider("alpha").requestCounts["eth_chainId"] == 1)

        // alpha starts failing: the client sees nothing but beta's answer.
        stack.provider("alpha").behavior = .erroring(.httpServerError)
        let failedOver = try await stack.post("/rpc/ethereum?include_meta=body",
                                              #"{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}"#)
        #expect(failedOver.hasPrefix(#"{"jsonrpc":"2.0","id":7,"result":"0x1","lasso_meta":{"#))
        #expect(failedOver.contains(#""retries":1"#) && failedOver.contains("beta"))
        #expect(stack.provider("beta").requestCounts["eth_chainId"] == 1)

        // Both down: -32000 naming the providers by id only.
        stack.provider("beta").behavior = .erroring(.httpServerError)
        let allFailed = try await stack.post("/rpc/1", #"{"jsonrpc":"2.0","id":8,"method":"eth_chainId"}"#)
        #expect(allFailed.contains(#""code":-32000"#) && allFailed.contains("alpha/http") && allFailed.contains("beta/http"))

        let (healthStatus, health) = try await stack.get("/api/health")
        #expect(healthStatus == 200 && health.contains(#""chains_running":1"#))
        let (_, status) = try await stack.get("/api/chains/ethereum/status")
        #expect(status.contains(#""chain":"ethereum""#))
        let (metricsStatus, metrics) = try await stack.get("/metrics")
        #expect(metricsStatus == 200 && metrics.contains("lasso_requests_total"))
        let (unknownStatus, _) = try await stack.get("/api/nothing")
        #expect(unknownStatus == 404)

        await stack.shutdown()
        let everything = stack.logs.lines.joined() + answer + failedOver + allFailed + health + status + metrics
        #expect(!everything.contains("SECRETKEY"))
        #expect(stack.logs.lines.contains { $0.contains(#""event":"rpc.request.completed""#) })
        #expect(stack.logs.lines.last?.contains("lassod.stopped") == true)
    }
}

@Suite(.serialized) struct DemoTests {
    @Test func theDemoServesEveryConfiguredChainFromSimulatedProviders() async throws {
        let config = try LassoConfig.load(path: "config/chains.yml", environment: [:])
        let demo = try await LassoDemo.start(config: config, runtime: Runtime(), sink: MemorySink(), port: 0)
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        for chain in config.chains {
            let reply = try await client.post("http://127.0.0.1:\(demo.application.port)/rpc/\(chain.key)",
                                              body: Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#.utf8))
            let expected = "0x" + String(chain.chainId, radix: 16)
            #expect(String(decoding: reply.body, as: UTF8.self) == #"{"jsonrpc":"2.0","id":1,"result":"\#(expected)"}"#)
        }
        #expect(demo.providerLines.count == config.chains.count * 3)
        await demo.stop()
        loop.stop()
    }
}

@Suite(.serialized) struct WebSocketChannelTests {
    /// A loopback port with nothing listening (bound, then released).
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func failsOverFromHTTPToTheProvidersWebSocket() async throws {
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
        let alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
        let config = try LassoConfig.parse(yaml: """
            selection: {default_strategy: priority}
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, priority: 1, url: "http://127.0.0.1:\(Self.closedPort())/", ws_url: "\(alpha.webSocketURL)"}
            """, environment: [:])
        let app = try await LassoApplication.start(config: config, runtime: Runtime(), sink: MemorySink(), port: 0)
        let board = try #require(app.services.directory.board(for: "ethereum"))
        // The ws channel becomes a candidate once the connection reports in.
        #expect(await waitFor { board.snapshot.providers.first?.ws != nil })

        let reply = try await client.post("http://127.0.0.1:\(app.port)/rpc/ethereum?include_meta=body",
                                          body: Array(#"{"jsonrpc":"2.0","id":"x","method":"eth_chainId"}"#.utf8))
        let text = String(decoding: reply.body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"jsonrpc":"2.0","id":"x","result":"0x1","lasso_meta":{"#))
        #expect(text.contains(#""protocol":"ws""#))
        #expect(alpha.provider.requestCounts["eth_chainId"] == 1)

        await app.stop()
        #expect(board.snapshot.providers.first?.ws == nil, "a stopped connection withdraws its channel")
        alpha.stop()
        loop.stop()
    }
}
