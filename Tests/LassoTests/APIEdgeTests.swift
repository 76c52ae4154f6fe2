import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// The edges of the JSON-RPC API, over loopback in front of simulated providers: subscription
/// methods sent over HTTP are referred to the WebSocket at the edge (forwarded, the providers'
/// -32601 would mark them unsupported and no WebSocket subscription could be placed again), and
/// client WebSockets route like their `POST /rpc/…` twins.
@Suite(.serialized) struct APIEdgeTests {
    typealias Stack = ClientWebSocketTests.Stack

    /// POSTs `body` to `path` on `port` with exactly the `Host` header `host`.
    static func post(port: Int, _ path: String, _ body: String, host: String) async throws -> RawResponse {
        let socket = try #require(RawSocket(port: port))
        socket.send("POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        return try #require(await socket.readResponse())
    }

    static func refusal(id: String, method: String, url: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32601,"message":"\#(method) is only available over "#
            + #"WebSocket: connect to \#(url)"}}"#
    }

    /// The `rpc.request.completed` lines of requests for `method`.
    static func requestLines(_ stack: Stack, method: String) -> [String] {
        stack.logs.lines.filter {
            $0.contains(#""event":"rpc.request.completed""#) && $0.contains(#""jsonrpc_method":"\#(method)""#)
        }
    }

    @Test func subscribingOverHTTPIsReferredToTheWebSocketAndLeavesSubscriptionsWorking() async throws {
        let stack = try await Stack()
        let subscribe = #"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#
        let plain = try await Self.post(port: stack.app.port, "/rpc/ethereum", subscribe, host: "lasso.example:4000")
        #expect(plain.status == 200)
        #expect(plain.text == Self.refusal(id: "1", method: "eth_subscribe", url: "ws://lasso.example:4000/ws/rpc/ethereum"))
        // The URL names the same route; the Host header is echoed only as host-name bytes.
        let unsubscribe = #"{"jsonrpc":"2.0","id":"u","method":"eth_unsubscribe","params":["0x1"]}"#
        let strategy = try await Self.post(port: stack.app.port, "/rpc/fastest/1", unsubscribe,
                                           host: #"[::1]:4000"<script>\"#)
        #expect(strategy.text == Self.refusal(id: #""u""#, method: "eth_unsubscribe",
                                              url: "ws://[::1]:4000script/ws/rpc/fastest/ethereum"))

        // Nothing went upstream, no provider is marked as lacking the methods, nothing was logged.
        for provider in [stack.alpha, stack.beta] {
            #expect(provider.provider.requestCounts["eth_subscribe"] == nil)
            #expect(provider.provider.requestCounts["eth_unsubscribe"] == nil)
        }
        let board = try #require(stack.app.services.directory.board(for: "ethereum"))
        #expect(board.snapshot.providers.allSatisfy { $0.unsupportedMethods.isEmpty })
        #expect(Self.requestLines(stack, method: "eth_subscribe").isEmpty)

        // A WebSocket client of the same chain still subscribes, on the preferred provider, and
        // receives blocks.
        let socket = try await stack.socket()
        let id = try await socket.subscribe(id: 7, params: #"["newHeads"]"#)
        #expect(id.hasPrefix("0x") && id.count == 34)
        #expect(try await stack.pool?.call(.status).first?.provider == "alpha")
        let heads = try await socket.notifications(for: id, atLeast: 1)
        #expect(heads.first.flatMap(TestWebSocket.blockNumber) != nil)
        socket.close()
        await stack.shutdown()
    }

    @Test func subscriptionMethodsInAnHTTPBatchEachGetTheReferral() async throws {
        let stack = try await Stack()
        let batch = #"[{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]},"#
            + #"{"jsonrpc":"2.0","id":2,"method":"eth_chainId"},"#
            + #"{"jsonrpc":"2.0","method":"eth_subscribe","params":["newHeads"]},"#
            + #"{"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["0x1"]}]"#
        let reply = try await Self.post(port: stack.app.port, "/rpc/provider/beta/ethereum", batch, host: "127.0.0.1:8545")
        #expect(reply.status == 200)
        let url = "ws://127.0.0.1:8545/ws/rpc/provider/beta/ethereum"
        #expect(reply.text == "[" + Self.refusal(id: "1", method: "eth_subscribe", url: url)
            + #",{"jsonrpc":"2.0","id":2,"result":"0x1"},"# + Self.refusal(id: "3", method: "eth_unsubscribe", url: url) + "]")
        #expect(stack.beta.provider.requestCounts["eth_subscribe"] == nil)
        #expect(stack.beta.provider.requestCounts["eth_chainId"] == 1, "the rest of the batch was routed")
        // A lone notification gets no body and goes nowhere either.
        let notification = try await Self.post(port: stack.app.port, "/rpc/ethereum",
                                               #"{"jsonrpc":"2.0","method":"eth_subscribe","params":["newHeads"]}"#,
                                               host: "127.0.0.1")
        #expect(notification.status == 204 && notification.body.isEmpty)
        #expect(stack.alpha.provider.requestCounts["eth_subscribe"] == nil)
        let board = try #require(stack.app.services.directory.board(for: "ethereum"))
        #expect(board.snapshot.providers.allSatisfy { $0.unsupportedMethods.isEmpty })
        await stack.shutdown()
    }

    @Test func aPinnedProviderSocketIsAnsweredByThatProvider() async throws {
        let stack = try await Stack()
        // alpha has priority: only the pin sends requests to beta.
        let socket = try await stack.socket("/ws/rpc/provider/beta/ethereum")
        socket.send(#"{"jsonrpc":"2.0","id":1,"method":"net_version"}"#)
        #expect(try await socket.reply(id: "1") == #"{"jsonrpc":"2.0","id":1,"result":"1"}"#)
        #expect(stack.beta.provider.requestCounts["net_version"] == 1)
        #expect(stack.alpha.provider.requestCounts["net_version"] == nil)
        let lines = try await waitForLines(stack, method: "net_version", count: 1)
        #expect(lines.allSatisfy { $0.contains(#""selected_provider":{"id":"beta","protocol":"http"}"#)
            && $0.contains(#""transport":"ws""#) })
        // Subscriptions on such a socket share the chain's keys.
        let plain = try await stack.socket()
        let pinnedID = try await socket.subscribe(id: 2, params: #"["newHeads"]"#)
        let plainID = try await plain.subscribe(id: 2, params: #"["newHeads"]"#)
        #expect(pinnedID != plainID)
        let status = try #require(try await stack.pool?.call(.status))
        #expect(status.count == 1 && status.first?.clients == 2)
        socket.close()
        plain.close()
        await stack.shutdown()
    }

    @Test func aStrategySocketRoutesWithThatStrategy() async throws {
        let stack = try await Stack()
        let socket = try await stack.socket("/ws/rpc/round-robin/1")
        for id in 1...4 { socket.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"net_version"}"#) }
        for id in 1...4 {
            #expect(try await socket.reply(id: "\(id)") == #"{"jsonrpc":"2.0","id":\#(id),"result":"1"}"#)
        }
        // The default strategy is fastest: each line shows the socket's own.
        let lines = try await waitForLines(stack, method: "net_version", count: 4)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.contains(#""strategy":"round_robin""#) && $0.contains(#""chain":"ethereum""#)
            && $0.contains(#""transport":"ws""#) })
        socket.close()
        await stack.shutdown()
    }

    @Test func unknownStrategiesProvidersChainsAndPathsAreNamedThenClosedWith4004() async throws {
        let stack = try await Stack(webSockets: false)
        let cases = [
            ("/ws/rpc/slowest/ethereum", "unknown strategy: slowest; use fastest, cheapest, priority, round-robin"),
            ("/ws/rpc/provider/nobody/ethereum", "unknown provider nobody on chain ethereum"),
            ("/ws/rpc/fastest/nochain", "unknown chain: nochain"),
            ("/ws/rpc/provider/alpha/nochain", "unknown chain: nochain"),
            ("/ws/rpc/provider/alpha/ethereum/extra", "no such endpoint: /ws/rpc/provider/alpha/ethereum/extra; use "
                + "/ws/rpc/:chain, /ws/rpc/:strategy/:chain or /ws/rpc/provider/:provider_id/:chain"),
        ]
        for (path, message) in cases {
            let socket = try await stack.socket(path)
            #expect(try await socket.message("error for \(path)") { _ in true }
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"\#(message)"}}"#)
            try await socket.wait("close of \(path)") { $0.disconnects.first }
            #expect(socket.disconnects.first == .closed(ClientWebSocketEndpoint.unknownEndpoint), "\(path)")
            socket.close()
        }
        await stack.shutdown()
    }

    /// Waits until `count` requests for `method` are logged; their lines.
    private func waitForLines(_ stack: Stack, method: String, count: Int) async throws -> [String] {
        try #require(await waitFor { Self.requestLines(stack, method: method).count >= count }, "\(count) log lines")
        return Self.requestLines(stack, method: method)
    }
}

/// What an HTTP client told to use the WebSocket sees, for each `Host` it may send.
@Suite struct SubscriptionOverHTTPTests {
    typealias Fixture = RPCEndpointTests.Fixture

    @Test func theHostHeaderIsEchoedOnlyAsHostNameBytesAndAtMost255() async throws {
        let fixture = try await Fixture()
        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#
        func url(host: String?) async -> String {
            let reply = await fixture.post("/rpc/ethereum", body, headers: host.map { ["host": $0] } ?? [:])
            let prefix = #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"eth_subscribe is only available over WebSocket: connect to "#
            guard reply.status == 200, reply.body.hasPrefix(prefix), reply.body.hasSuffix(#""}}"#) else { return reply.body }
            return String(reply.body.dropFirst(prefix.count).dropLast(3))
        }
        #expect(await url(host: nil) == "ws://<this host>/ws/rpc/ethereum")
        #expect(await url(host: "") == "ws://<this host>/ws/rpc/ethereum")
        #expect(await url(host: #""<>"#) == "ws://<this host>/ws/rpc/ethereum")
        #expect(await url(host: "rpc.example.com") == "ws://rpc.example.com/ws/rpc/ethereum")
        #expect(await url(host: "a b/c?d#e\u{e9}.io:80") == "ws://abcde.io:80/ws/rpc/ethereum")
        let long = String(repeating: "h", count: 300)
        #expect(await url(host: long) == "ws://\(String(repeating: "h", count: 255))/ws/rpc/ethereum")
        #expect(fixture.upstream.sentTo.isEmpty, "nothing went upstream")
        #expect(fixture.lines.lines.isEmpty && fixture.counters.snapshot().requests.isEmpty,
                "refused at the edge like the other errors answered before routing: not logged, not counted")
    }

    @Test func theURLNamesTheSameRouteWithTheChainsName() throws {
        let directory = ChainDirectory()
        let entry = directory.entry(for: "ethereum")
        #expect(SubscriptionOverHTTP.webSocketPath(RPCTarget(chain: entry, strategy: nil, pinnedProvider: nil))
            == "/ws/rpc/ethereum")
        #expect(SubscriptionOverHTTP.webSocketPath(RPCTarget(chain: entry, strategy: .roundRobin, pinnedProvider: nil))
            == "/ws/rpc/round-robin/ethereum")
        #expect(SubscriptionOverHTTP.webSocketPath(RPCTarget(chain: entry, strategy: nil, pinnedProvider: "alpha"))
            == "/ws/rpc/provider/alpha/ethereum")
    }
}
