import Synchronization
import Testing
@testable import Lasso
import LassoTransport
import Supervision
import TestSupport

/// Collects log lines in memory.
final class MemorySink: LogSink {
    private let stored = Mutex<[String]>([])
    func write(_ line: [UInt8]) { stored.withLock { $0.append(String(decoding: line, as: UTF8.self)) } }
    func flush() {}
    var lines: [String] { stored.withLock { $0 } }
}

@Suite struct RPCEndpointTests {
    struct Fixture {
        let upstream = ScriptedUpstream()
        let lines = MemorySink()
        let counters = RequestCounters()
        let endpoint: RPCEndpoint
        let metrics: MetricsEndpoint
        let chainOwner: ServerRef<ProviderPool>
        let config: LassoConfig
        let directory = ChainDirectory()

        init() async throws {
            config = try LassoConfig.parse(yaml: """
                selection: {default_strategy: priority}
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                      - {id: alpha, priority: 1, url: "http://127.0.0.1:1"}
                      - {id: beta, priority: 2, url: "http://127.0.0.1:2"}
                  base:
                    chain_id: 8453
                    providers:
                      - {id: base_one, url: "http://127.0.0.1:3"}
                """, environment: [:])
            let runtime = Runtime(clock: ManualClock())
            let chain = try #require(config.chain(named: "ethereum"))
            let board = ChainStateBoard(chain: chain)
            chainOwner = try await ServerRef.start(label: "ethereum", runtime: runtime) { ProviderPool(chain: chain, board: board) }
            try directory.register(chain: "ethereum", board: board, process: chainOwner.process)
            for provider in ["alpha", "beta"] {
                upstream.answer(provider) { request in
                    let method = JSONRPCScanner.scanBody(request)
                    let name: String
                    if case .request(let head) = method { name = head.method } else { name = "?" }
                    return .response(status: 200, retryAfter: nil,
                                     body: Array(#"{"jsonrpc":"2.0","id":0,"result":"\#(provider):\#(name)"}"#.utf8))
                }
            }
            let pipeline = RequestPipeline(sender: upstream, recorder: ImmediateAttemptRecorder(journal: Journal()),
                                           clock: runtime.clock)
            endpoint = RPCEndpoint(configs: CurrentConfig(config), directory: directory, pipeline: pipeline,
                                   clock: runtime.clock,
                                   observability: Logger(config: config.observability, sink: lines,
                                                         wallClockMillis: { 1_764_000_000_000 }),
                                   counters: counters)
            metrics = MetricsEndpoint(configs: CurrentConfig(config), directory: directory, counters: counters)
        }

        func post(_ path: String, _ body: String, query: String = "",
                  headers: [String: String] = [:]) async -> (status: Int, body: String) {
            let reply = await exchange(path, body, query: query, headers: headers)
            return (reply.status, String(decoding: reply.body, as: UTF8.self))
        }

        func exchange(_ path: String, _ body: String, query: String = "",
                      headers: [String: String] = [:]) async -> HTTPResponse {
            await withCheckedContinuation { continuation in
                endpoint.handle(HTTPRequest(method: .post, path: path, query: query, headers: headers,
                                            body: Array(body.utf8))) {
                    continuation.resume(returning: $0)
                }
            }
        }
    }

    @Test func routesParse() {
        #expect(RPCRoute.parse(path: "/rpc/ethereum") == RPCRoute(chain: "ethereum"))
        #expect(RPCRoute.parse(path: "/rpc/1") == RPCRoute(chain: "1"))
        #expect(RPCRoute.parse(path: "/rpc/round-robin/base") == RPCRoute(chain: "base", strategy: .roundRobin))
        #expect(RPCRoute.parse(path: "/rpc/fastest/base/") == RPCRoute(chain: "base", strategy: .fastest))
        #expect(RPCRoute.parse(path: "/rpc/provider/alpha/ethereum") == RPCRoute(chain: "ethereum", pinnedProvider: "alpha"))
        #expect(RPCRoute.parse(path: "/rpc/slowest/base") == nil)
        #expect(RPCRoute.parse(path: "/rpc") == nil)
        #expect(RPCRoute.parse(path: "/api/health") == nil)
        #expect(RPCRoute.parse(path: "/rpc/provider/alpha/ethereum/extra") == nil)
    }

    @Test func webSocketRoutesParseWithTheSameRules() {
        #expect(RPCRoute.parse(webSocketPath: "/ws/rpc/ethereum") == RPCRoute(chain: "ethereum"))
        #expect(RPCRoute.parse(webSocketPath: "//ws/rpc/1/") == RPCRoute(chain: "1"))
        #expect(RPCRoute.parse(webSocketPath: "/ws/rpc/fastest/ethereum") == RPCRoute(chain: "ethereum", strategy: .fastest))
        #expect(RPCRoute.parse(webSocketPath: "/ws/rpc/round-robin/1/") == RPCRoute(chain: "1", strategy: .roundRobin))
        #expect(RPCRoute.parse(webSocketPath: "/ws//rpc/provider/alpha/ethereum")
            == RPCRoute(chain: "ethereum", pinnedProvider: "alpha"))
        #expect(RPCRoute.match(webSocketPath: "/ws/rpc/slowest/ethereum") == .failure(.unknownStrategy("slowest")))
        #expect(RPCRoute.match(path: "/rpc/slowest/ethereum") == .failure(.unknownStrategy("slowest")))
        #expect(RPCRoute.match(webSocketPath: "/ws/rpc/provider/alpha/ethereum/extra") == .failure(.noRoute))
        #expect(RPCRoute.parse(webSocketPath: "/ws/rpc") == nil)
        #expect(RPCRoute.parse(webSocketPath: "/ws") == nil)
        #expect(RPCRoute.parse(webSocketPath: "/wsx/rpc/ethereum") == nil)
        #expect(RPCRoute.parse(webSocketPath: "/rpc/ethereum") == nil)
        #expect(RPCRoute.parse(webSocketPath: "/ws/ws/rpc/ethereum") == nil)
        #expect(RPCRoute.parse(path: "/ws/rpc/ethereum") == nil)
    }

    @Test func singleRequestByChainNameOrChainID() async throws {
        let fixture = try await Fixture()
        let byName = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(byName.status == 200 && byName.body == #"{"jsonrpc":"2.0","id":1,"result":"alpha:eth_chainId"}"#)
        let byID = await fixture.post("/rpc/1", #"{"jsonrpc":"2.0","id":"x","method":"eth_chainId"}"#)
        #expect(byID.body == #"{"jsonrpc":"2.0","id":"x","result":"alpha:eth_chainId"}"#)
        let pinned = await fixture.post("/rpc/provider/beta/ethereum", #"{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}"#)
        #expect(pinned.body == #"{"jsonrpc":"2.0","id":2,"result":"beta:eth_chainId"}"#)
    }

    @Test func everyRoutedRequestIsLoggedAndCountedAndMetadataIsOptIn() async throws {
        let fixture = try await Fixture()
        let plain = await fixture.exchange("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(plain.headers.isEmpty)
        let lines = fixture.lines.lines
        #expect(lines.count == 1)
        #expect(lines.first?.contains(#""event":"rpc.request.completed""#) == true)
        #expect(lines.first?.contains(#""jsonrpc_method":"eth_chainId""#) == true)
        #expect(lines.first?.contains(#""chain":"ethereum""#) == true)

        let withHeaders = await fixture.exchange("/rpc/ethereum", #"{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}"#,
                                                 query: "include_meta=headers")
        #expect(withHeaders.headers.map(\.name).sorted() == ["X-Lasso-Meta", "X-Lasso-Request-ID"])
        let inBody = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":3,"method":"eth_chainId"}"#,
                                        headers: ["x-lasso-include-meta": "body"])
        #expect(inBody.body.hasPrefix(#"{"jsonrpc":"2.0","id":3,"result":"alpha:eth_chainId","lasso_meta":{"#))

        _ = await fixture.post("/rpc/ethereum", #"[{"jsonrpc":"2.0","id":4,"method":"a"},{"jsonrpc":"2.0","id":5,"method":"b"}]"#)
        #expect(fixture.lines.lines.count == 5, "batch elements are logged one by one")
        let requests = fixture.counters.snapshot().requests
        #expect(requests.reduce(UInt64(0)) { $0 + $1.successes + $1.errors } == 5)

        let metrics = fixture.metrics.handle()
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(metrics.contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(text.contains(#"lasso_requests_total{chain="ethereum",provider="alpha",method="eth_chainId",transport="http",status="success"} 3"#))
        #expect(text.contains(#"lasso_circuit_breaker_state{chain="ethereum",provider="beta",transport="http"} 0"#))
        #expect(!text.contains("127.0.0.1"), "metrics name providers by id, never by URL")
    }

    @Test func unknownChainsProvidersAndStoppedChainsAreHTTPErrorsWithJSONRPCBodies() async throws {
        let fixture = try await Fixture()
        let unknown = await fixture.post("/rpc/solana", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(unknown.status == 404 && unknown.body.contains("unknown chain: solana") && unknown.body.contains(#""code":-32600"#))
        let badProvider = await fixture.post("/rpc/provider/nobody/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(badProvider.status == 404 && badProvider.body.contains("unknown provider nobody"))
        let stopped = await fixture.post("/rpc/base", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(stopped.status == 503 && stopped.body.contains("chain base is not running"))
        fixture.chainOwner.stop()
        await fixture.chainOwner.process.waitForExit()
        let nowStopped = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        #expect(nowStopped.status == 503)
    }

    @Test func malformedBodiesGetTheExactJSONRPCErrors() async throws {
        let fixture = try await Fixture()
        let garbage = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":1,"method":"#)
        #expect(garbage.status == 200 && garbage.body == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the body is not valid JSON"}}"#)
        let invalid = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":77,"method":5}"#)
        #expect(invalid.body == #"{"jsonrpc":"2.0","id":77,"error":{"code":-32600,"message":"Invalid Request: method must be a string"}}"#)
        let notification = await fixture.post("/rpc/ethereum", #"{"jsonrpc":"2.0","method":"eth_chainId"}"#)
        #expect(notification.status == 204 && notification.body.isEmpty)
        #expect(fixture.upstream.sentTo.count == 1, "only the notification went upstream")
    }

    @Test func batchesAreAnsweredInOrderWithNotificationsOmitted() async throws {
        let fixture = try await Fixture()
        let mixed = await fixture.post("/rpc/ethereum", """
            [{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
             {"jsonrpc":"2.0","method":"eth_gasPrice"},
             {"jsonrpc":"1.0","id":3,"method":"x"},
             5,
             {"jsonrpc":"2.0","id":"four","method":"eth_blockNumber"}]
            """)
        #expect(mixed.status == 200)
        #expect(mixed.body == "[" + [
            #"{"jsonrpc":"2.0","id":1,"result":"alpha:eth_chainId"}"#,
            #"{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}"#,
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: expected a JSON object"}}"#,
            #"{"jsonrpc":"2.0","id":"four","result":"alpha:eth_blockNumber"}"#,
        ].joined(separator: ",") + "]")

        let empty = await fixture.post("/rpc/ethereum", "[]")
        #expect(empty.body == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: empty batch"}}"#)
        let tooBig = await fixture.post("/rpc/ethereum", "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"m"}"#, count: 101).joined(separator: ",") + "]")
        #expect(tooBig.body.contains("batch of 101 exceeds the limit of 100"))
        let notifications = await fixture.post("/rpc/ethereum", #"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]"#)
        #expect(notifications.status == 204)
    }
}
