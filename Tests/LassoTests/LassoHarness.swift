import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// lassod in front of simulated providers, over real loopback sockets: the shared stage of the
/// end-to-end suites. One chain, `ethereum` (chain id 1); each provider gets its own
/// `SimulatedProviderServer` on a free port, with a fake key in its URL (in the path for the
/// first provider, the third…, in the query for the others) so tests can check that it never
/// leaks.
final class LassoHarness: Sendable {
    /// One provider of the chain: its id and extra YAML fields (`priority: 1, type: paid`).
    struct Provider {
        var id: String
        var fields: String = ""
        /// An upstream of the test's own (`HeldRepliesUpstream`, say) instead of a simulated
        /// provider server; `provider(id)` and `count` do not know it.
        var url: String? = nil
    }

    let loop: EventLoop
    let client: HTTPClient
    let servers: [String: SimulatedProviderServer]
    let app: LassoApplication
    let logs = MemorySink()

    /// `settings` is top-level YAML (e.g. `circuit_breaker: {…}`), `chainSettings` YAML lines
    /// inside the chain (e.g. `monitoring: {…}`). `runtime` is lassod's: one on a `ManualClock`
    /// moves its timers (breaker recovery, call timeouts, probe intervals) only when told to.
    init(providers: [Provider], strategy: String = "priority", settings: String = "", chainSettings: String = "",
         drainTimeout: Duration = Endpoint.defaultDrainTimeout, methodTimeouts: MethodTimeouts = .default,
         runtime: Runtime = Runtime()) async throws {
        loop = try EventLoop()
        client = HTTPClient(loop: loop)
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
        var servers: [String: SimulatedProviderServer] = [:]
        var lines: [String] = []
        for (index, provider) in providers.enumerated() {
            let extra = provider.fields.isEmpty ? "" : ", " + provider.fields
            if let url = provider.url {
                lines.append("      - {id: \(provider.id), url: \"\(url)\"\(extra)}")
                continue
            }
            let server = try SimulatedProviderServer(provider: SimulatedProvider(id: provider.id, chain: chain), loop: loop)
            servers[provider.id] = server
            let secret = index % 2 == 0 ? "v2/SECRETKEY" : "?apikey=SECRETKEY"
            lines.append("      - {id: \(provider.id), url: \"http://127.0.0.1:\(server.port)/\(secret)\"\(extra)}")
        }
        self.servers = servers
        let yaml = """
            selection: {default_strategy: \(strategy)}
            \(settings)
            chains:
              ethereum:
                chain_id: 1
                \(chainSettings)
                providers:
            \(lines.joined(separator: "\n"))
            """
        let config = try LassoConfig.parse(yaml: yaml, environment: [:])
        app = try await LassoApplication.start(config: config, runtime: runtime, sink: logs, port: 0,
                                               drainTimeout: drainTimeout, methodTimeouts: methodTimeouts)
    }

    /// The simulated provider `id`.
    func provider(_ id: String) -> SimulatedProvider {
        guard let server = servers[id] else {
            Issue.record("no provider \(id) in the harness")
            return SimulatedProvider(id: id, chain: SimulatedChain(chainID: 1, blockIntervalMs: 12_000))
        }
        return server.provider
    }

    /// How many `method` requests provider `id` has received.
    func count(_ id: String, _ method: String = "eth_chainId") -> Int {
        provider(id).requestCounts[method] ?? 0
    }

    /// POSTs `body` to `path` and returns lassod's reply body (a 2xx reply; anything else throws).
    func post(_ path: String, _ body: String) async throws -> String {
        let response = try await client.post("http://127.0.0.1:\(app.port)\(path)", body: Array(body.utf8))
        return String(decoding: response.body, as: UTF8.self)
    }

    /// `eth_chainId` through `path`, with `id` as the request id.
    func chainID(_ path: String = "/rpc/ethereum", id: Int = 1) async throws -> String {
        try await post(path, #"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#)
    }

    /// A GET route's status and body, on a fresh connection (off the cooperative pool, which
    /// lassod's processes need to answer).
    func get(_ path: String) async throws -> (Int, String) {
        let port = app.port
        let reply = try #require(await RawSocket.get(port: port, path), "GET \(path)")
        return (reply.status, reply.text)
    }

    /// The chain's status as `GET /api/chains/ethereum/status` reports it.
    func status() async throws -> ChainStatus {
        let (_, body) = try await get("/api/chains/ethereum/status")
        return try JSONDecoder().decode(ChainStatus.self, from: Data(body.utf8))
    }

    /// The HTTP breaker phase of provider `id`, as the status API reports it.
    func breakerPhase(_ id: String) async throws -> String? {
        try await status().providers.first { $0.id == id }?.breakers["http"]
    }

    /// Waits until every provider's first health probe has been recorded (each provider `up`,
    /// or `lagging`), so that later probes cannot interleave with a test's first requests.
    func waitUntilProbed() async throws {
        let probed = try await waitFor {
            try await status().providers.allSatisfy { $0.availability == .up || $0.availability == .lagging }
        }
        #expect(probed, "every provider answered its first probe")
    }

    /// Waits until provider `id`'s HTTP breaker reports `phase` through the status API.
    func waitForBreaker(_ id: String, _ phase: String) async throws -> Bool {
        try await waitFor { try await breakerPhase(id) == phase }
    }

    func shutdown() async {
        await app.stop()
        for server in servers.values { server.stop() }
        loop.stop()
    }
}
