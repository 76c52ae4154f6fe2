import Synchronization
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// The brief's tree, process by process, and kill drills on the processes that hold what the
/// hot path reads: lassod keeps answering through each.
@Suite(.serialized) struct ApplicationTreeTests {
    struct Drill: Error {}

    final class Stack: Sendable {
        let loop: EventLoop
        let client: HTTPClient
        let alpha: SimulatedProviderServer
        let beta: SimulatedProviderServer
        let app: LassoApplication

        init() async throws {
            loop = try EventLoop()
            client = HTTPClient(loop: loop)
            let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
            alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
            beta = try SimulatedProviderServer(provider: SimulatedProvider(id: "beta", chain: chain), loop: loop)
            let config = try LassoConfig.parse(yaml: """
                selection: {default_strategy: priority}
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                      - {id: alpha, priority: 1, url: "\(alpha.url)"}
                      - {id: beta, priority: 2, url: "\(beta.url)"}
                """, environment: [:])
            app = try await LassoApplication.start(config: config, runtime: Runtime(), sink: MemorySink(), port: 0)
        }

        func chainSupervisor() async throws -> Supervisor {
            let chains = try #require(try await app.chains())
            let process = try #require(try await chains.whichChildren().first?.process)
            return try #require(Supervisor(process))
        }

        func request(_ id: Int) async throws -> String {
            let response = try await client.post("http://127.0.0.1:\(app.port)/rpc/ethereum",
                                                 body: Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#.utf8))
            return String(decoding: response.body, as: UTF8.self)
        }

        /// Sends requests one after another while `drill` runs after the fifth; returns the
        /// answers that were not the expected one.
        func serve(during drill: @Sendable () async throws -> Void) async throws -> [String] {
            let sent = Atomic<Int>(0)
            let traffic = Task {
                var wrong: [String] = []
                for id in 1...40 {
                    let answer = (try? await request(id)) ?? "transport error"
                    if answer != #"{"jsonrpc":"2.0","id":\#(id),"result":"0x1"}"# { wrong.append(answer) }
                    sent.add(1, ordering: .relaxed)
                }
                return wrong
            }
            try #require(await waitFor { sent.load(ordering: .relaxed) >= 5 })
            try await drill()
            return await traffic.value
        }

        func shutdown() async {
            await app.stop()
            alpha.stop()
            beta.stop()
            loop.stop()
        }
    }

    /// Stops child `id` of `supervisor` with an abnormal reason and waits for its successor.
    static func crash(_ id: String, of supervisor: Supervisor) async throws -> PID {
        let old = try #require(try await supervisor.whichChildren().first { $0.id == id }?.process)
        old.stop(.failed(Drill()))
        var successor: PID?
        try #require(try await waitFor {
            let now = try await supervisor.whichChildren().first { $0.id == id }?.process
            successor = now.flatMap { $0 != old && $0.isAlive ? $0.pid : nil }
            return successor != nil
        })
        return try #require(successor)
    }

    @Test func theApplicationAndEachChainRunTheBriefsChildrenInOrder() async throws {
        let stack = try await Stack()
        #expect(try await stack.app.root.whichChildren().map(\.id) == [
            "PubSub", "HTTPClientPool", "BenchmarkStore", "BenchmarkPersistence", "ProcessRegistry", "Registry",
            "ChainsSupervisor", "ConfigStore", "DashboardPublisher", "Endpoint",
        ])
        #expect(try await stack.app.root.whichChildren().allSatisfy { $0.process?.isAlive == true })
        #expect(try await stack.chainSupervisor().whichChildren().map(\.id) == [
            "ProviderSupervisor(alpha)", "ProviderSupervisor(beta)", "ProviderPool", "ProviderHealthMonitor",
            "TransportRegistry", "UpstreamSubscriptionPool", "StreamSupervisor", "ClientSubscriptionRegistry",
        ])
        await stack.shutdown()
    }

    @Test func requestsKeepSucceedingThroughACrashOfTheHTTPClientPool() async throws {
        let stack = try await Stack()
        let before = try #require(stack.app.clients.current)
        let wrong = try await stack.serve {
            _ = try await Self.crash("HTTPClientPool", of: stack.app.root)
        }
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(stack.app.clients.current.map { $0 !== before } == true, "new requests use the new client")
        #expect(try await stack.request(99) == #"{"jsonrpc":"2.0","id":99,"result":"0x1"}"#)

        // A request in flight on alpha when the pool crashes fails as a closed connection and
        // fails over to beta, through the successor's client.
        stack.alpha.provider.behavior = .slow(latencyMs: 2_000)
        let alphaBefore = stack.alpha.provider.requestCounts["eth_chainId"] ?? 0
        let betaBefore = stack.beta.provider.requestCounts["eth_chainId"] ?? 0
        let inFlight = Task { try await stack.request(100) }
        try #require(await waitFor { (stack.alpha.provider.requestCounts["eth_chainId"] ?? 0) > alphaBefore })
        _ = try await Self.crash("HTTPClientPool", of: stack.app.root)
        #expect(try await inFlight.value == #"{"jsonrpc":"2.0","id":100,"result":"0x1"}"#)
        #expect((stack.beta.provider.requestCounts["eth_chainId"] ?? 0) == betaBefore + 1)
        await stack.shutdown()
    }

    @Test func requestsKeepSucceedingAndNamesResolveThroughACrashOfTheProcessRegistry() async throws {
        let stack = try await Stack()
        let names = stack.app.services.names
        let wrong = try await stack.serve {
            _ = try await Self.crash("ProcessRegistry", of: stack.app.root)
        }
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(names.benchmarkStore != nil && names.endpoint != nil && names.providerPool(chain: "ethereum") != nil)
        // The new incarnation watches the named processes: a restarted pool is found again.
        let chain = try await stack.chainSupervisor()
        let pool = try await Self.crash("ProviderPool", of: chain)
        #expect(names.providerPool(chain: "ethereum")?.pid == pool)
        await stack.shutdown()
    }

    @Test func requestsKeepSucceedingAndLookupsWorkThroughACrashOfTheRegistry() async throws {
        let stack = try await Stack()
        let services = stack.app.services
        let alphaHTTP = Channel(providerID: "alpha", transport: .http)
        let wrong = try await stack.serve {
            _ = try await Self.crash("Registry", of: stack.app.root)
        }
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(services.directory.board(for: "ethereum") != nil)
        #expect(services.breakers.breaker(chain: "ethereum", channel: alphaHTTP) != nil)
        // A breaker restarted after the drill registers again and is found.
        let chain = try await stack.chainSupervisor()
        let providerProcess = try #require(try await chain.whichChildren()[0].process)
        let providers = try #require(Supervisor(providerProcess))
        let breaker = try await Self.crash("CircuitBreaker(alpha, http)", of: providers)
        #expect(services.breakers.breaker(chain: "ethereum", channel: alphaHTTP)?.pid == breaker)
        await stack.shutdown()
    }

    @Test func requestsKeepSucceedingAndChannelsResolveThroughACrashOfTheTransportRegistry() async throws {
        let stack = try await Stack()
        let successor = Mutex<PID?>(nil)
        let wrong = try await stack.serve {
            let pid = try await Self.crash("TransportRegistry", of: try await stack.chainSupervisor())
            successor.withLock { $0 = pid }
        }
        #expect(wrong.isEmpty, "\(wrong)")
        let board = try #require(stack.app.services.directory.board(for: "ethereum"))
        #expect(TransportRegistryTests.hasHTTPRoute(board, "alpha") && TransportRegistryTests.hasHTTPRoute(board, "beta"))
        let running = try await stack.chainSupervisor().whichChildren().first { $0.id == "TransportRegistry" }?.process
        #expect(running?.pid == successor.withLock { $0 } && running?.isAlive == true)
        await stack.shutdown()
    }
}
