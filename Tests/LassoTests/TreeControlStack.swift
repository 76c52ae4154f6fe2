import Foundation
import Synchronization
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// lassod over loopback in front of simulated providers, its config in a temporary file, and a
/// `TreeControl` on it: what the admin socket drives, minus the socket.
///
/// Chains: `ethereum` (alpha with http and ws, priority 1; beta http, priority 2), `base` (gamma)
/// and `polygon` (delta); `optimism` (epsilon) is configured by reload tests only. Selection is
/// `priority`, so with every breaker closed ethereum's traffic goes to alpha over http.
final class TreeControlStack: Sendable {
    let loop: EventLoop
    let client: HTTPClient
    let alpha: SimulatedProviderServer
    let beta: SimulatedProviderServer
    let gamma: SimulatedProviderServer
    let delta: SimulatedProviderServer
    let epsilon: SimulatedProviderServer
    let runtime: Runtime
    let logs = MemorySink()
    let configPath: String
    let app: LassoApplication
    let control: TreeControl

    /// `runtime` is lassod's: one on a `ManualClock` runs no timer unless the test moves it.
    init(runtime: Runtime = Runtime()) async throws {
        self.runtime = runtime
        let loop = try EventLoop()
        self.loop = loop
        client = HTTPClient(loop: loop)
        func server(_ id: String, chainID: UInt64) throws -> SimulatedProviderServer {
            try SimulatedProviderServer(provider: SimulatedProvider(id: id, chain: SimulatedChain(chainID: chainID,
                                                                                               blockIntervalMs: 12_000)),
                                        loop: loop)
        }
        alpha = try server("alpha", chainID: 1)
        beta = try server("beta", chainID: 1)
        gamma = try server("gamma", chainID: 8453)
        delta = try server("delta", chainID: 137)
        epsilon = try server("epsilon", chainID: 10)
        configPath = FileManager.default.temporaryDirectory.appendingPathComponent("lassod-\(UUID().uuidString).yml").path
        let yaml = Self.config(Self.ethereum(alpha: alpha, beta: beta), Self.single("base", 8453, gamma),
                               Self.single("polygon", 137, delta))
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        app = try await LassoApplication.start(config: LassoConfig.parse(yaml: yaml, environment: [:]), runtime: runtime,
                                               sink: logs, port: 0)
        control = TreeControl(application: app, configPath: configPath)
    }

    static func config(_ sections: String...) -> String {
        "selection: {default_strategy: priority}\nchains:\n" + sections.joined()
    }

    var ethereum: String { Self.ethereum(alpha: alpha, beta: beta) }
    var base: String { Self.single("base", 8453, gamma) }
    var polygon: String { Self.single("polygon", 137, delta) }
    var optimism: String { Self.single("optimism", 10, epsilon) }

    static func ethereum(alpha: SimulatedProviderServer, beta: SimulatedProviderServer) -> String {
        """
          ethereum:
            chain_id: 1
            providers:
              - {id: alpha, priority: 1, url: "\(alpha.url)v2/SECRETKEY", ws_url: "\(alpha.webSocketURL)"}
              - {id: beta, priority: 2, url: "\(beta.url)?apikey=SECRETKEY"}

        """
    }

    /// A chain section with one provider, named after the server's provider.
    static func single(_ key: String, _ chainID: Int, _ server: SimulatedProviderServer) -> String {
        """
          \(key):
            chain_id: \(chainID)
            providers:
              - {id: \(server.provider.id), url: "\(server.url)"}

        """
    }

    /// Replaces the config file (what an operator edits before `reload`).
    func writeConfig(_ yaml: String) throws {
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `eth_chainId` on `chain`; the body lassod answered.
    func chainID(_ chain: String) async throws -> String {
        let reply = try await client.post("http://127.0.0.1:\(app.port)/rpc/\(chain)",
                                          body: Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#.utf8))
        return String(decoding: reply.body, as: UTF8.self)
    }

    /// `GET path` on a fresh connection, off the cooperative pool (lassod's own handlers need it).
    func get(_ path: String) async throws -> (status: Int, body: String) {
        let port = app.port
        let reply = try #require(await RawSocket.get(port: port, path), "GET \(path)")
        return (reply.status, reply.text)
    }

    /// `chainID(chain)`, or the client's error when lassod answered with an HTTP error status.
    func answerOrError(_ chain: String) async -> String {
        do { return try await chainID(chain) } catch { return "\(error)" }
    }

    static func expectedChainID(_ id: Int) -> String {
        #"{"jsonrpc":"2.0","id":1,"result":"0x\#(String(id, radix: 16))"}"#
    }

    /// Sends `eth_chainId` to `chain` back to back until `stop` is set; returns how many were
    /// sent and every answer that was not the chain's id.
    func requestLoop(_ chain: String, chainID: Int, until stop: StopSignal) async -> (sent: Int, failures: [String]) {
        var sent = 0
        var failures: [String] = []
        let expected = Self.expectedChainID(chainID)
        while !stop.isStopped {
            sent += 1
            stop.recordSent()
            do {
                let answer = try await self.chainID(chain)
                if answer != expected { failures.append(answer) }
            } catch {
                failures.append("\(error)")
            }
        }
        return (sent, failures)
    }

    func tree() async -> TreeSnapshot { await control.tree() }

    /// The pid at `path` (`Application/…`), if something runs there.
    func pid(at path: String) async -> PID? {
        await tree().node(at: Array(path.split(separator: "/").map(String.init).dropFirst()))?.pid
    }

    /// Every node's path, depth first: the shape of the tree without its pids.
    static func shape(_ node: TreeSnapshot, prefix: String = "") -> [String] {
        let path = prefix.isEmpty ? node.name : "\(prefix)/\(node.name)"
        return [path] + node.children.flatMap { shape($0, prefix: path) }
    }

    /// Waits until the ethereum board offers alpha's WebSocket channel (its connection is up).
    func waitForAlphaWebSocket(within limit: Duration = .seconds(10)) async -> Bool {
        await waitFor(within: limit) {
            app.services.directory.board(for: "ethereum")?.snapshot.providers.first(where: { $0.id == "alpha" })?.ws != nil
        }
    }

    func shutdown() async {
        await app.stop()
        for server in [alpha, beta, gamma, delta, epsilon] { server.stop() }
        loop.stop()
        try? FileManager.default.removeItem(atPath: configPath)
    }
}

/// Tells a request loop on another task to finish, and shows how far it got.
final class StopSignal: Sendable {
    private let stopped = Atomic(false)
    private let count = Atomic(0)

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func stop() { stopped.store(true, ordering: .releasing) }

    /// Requests the loop has sent so far.
    var sent: Int { count.load(ordering: .relaxed) }

    func recordSent() { count.add(1, ordering: .relaxed) }
}
