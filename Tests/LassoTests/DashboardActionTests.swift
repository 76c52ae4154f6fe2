import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport
import LassoSimulation
import Supervision

/// The dashboard's actions over loopback: refused (403) without the token, carried out with it,
/// and the token never shown — not in the page, its script, a push, nor a log line.
@Suite(.serialized)
struct DashboardActionTests {
    static let token = "dashboard-test-token-0123456789"
    static let providers = [LassoHarness.Provider(id: "alpha", fields: "priority: 1"),
                            LassoHarness.Provider(id: "beta", fields: "priority: 2")]

    /// POSTs `body` to `path` with `authorization` (when given); the status and body.
    static func post(port: Int, _ path: String, _ body: String, authorization: String? = nil) async throws -> (Int, String) {
        let connection = try #require(RawSocket(port: port))
        connection.send(httpRequest("POST", path, body: body, headers: authorization.map { [("authorization", $0)] } ?? []))
        let response = try #require(await connection.readResponse())
        return (response.status, response.text)
    }

    static func harness(token: String?) async throws -> LassoHarness {
        try await LassoHarness(providers: providers, strategy: "priority",
                               settings: token.map { "server: {admin_token: \"\($0)\"}" } ?? "")
    }

    @Test func withoutAConfiguredTokenEveryActionIsRefused() async throws {
        let harness = try await Self.harness(token: nil)
        defer { Task { await harness.shutdown() } }
        let port = harness.app.port
        let (killStatus, killReply) = try await Self.post(
            port: port, "/dashboard/admin", #"{"cmd":"breaker","args":["ethereum","alpha","http","open"]}"#,
            authorization: "Bearer anything-at-all-0123456789")
        #expect(killStatus == 403)
        #expect(killReply.contains("read-only"))
        let (loadStatus, _) = try await Self.post(
            port: port, "/dashboard/load", #"{"chain":"ethereum","strategy":"priority","requests":5,"methods":{"eth_gasPrice":1}}"#)
        #expect(loadStatus == 403)
        // Nothing happened.
        #expect(try await harness.breakerPhase("alpha") == "closed")
        #expect(harness.count("alpha", "eth_gasPrice") == 0)
    }

    @Test func withATokenOnlyTheRightBearerActs() async throws {
        let harness = try await Self.harness(token: Self.token)
        defer { Task { await harness.shutdown() } }
        let port = harness.app.port
        let open = #"{"cmd":"breaker","args":["ethereum","alpha","http","open"]}"#
        let (missing, _) = try await Self.post(port: port, "/dashboard/admin", open)
        let (wrong, wrongReply) = try await Self.post(port: port, "/dashboard/admin", open,
                                                      authorization: "Bearer \(Self.token)x")
        #expect(missing == 403)
        #expect(wrong == 403)
        #expect(wrongReply.contains("valid admin token"))
        #expect(try await harness.breakerPhase("alpha") == "closed")

        let (accepted, reply) = try await Self.post(port: port, "/dashboard/admin", open,
                                                    authorization: "Bearer \(Self.token)")
        #expect(accepted == 200)
        #expect(reply.contains(#""phase":"forced_open""#))
        #expect(try await harness.breakerPhase("alpha") == "forced_open")

        // A command the page does not offer, and one that fails.
        let (reload, _) = try await Self.post(port: port, "/dashboard/admin", #"{"cmd":"reload"}"#,
                                              authorization: "Bearer \(Self.token)")
        #expect(reload == 400)
        let (unknown, unknownReply) = try await Self.post(
            port: port, "/dashboard/admin", #"{"cmd":"kill","args":["Application/Nowhere"]}"#,
            authorization: "Bearer \(Self.token)")
        #expect(unknown == 422)
        #expect(unknownReply.contains("no process at Nowhere"))

        let (restarted, restartReply) = try await Self.post(port: port, "/dashboard/admin",
                                                            #"{"cmd":"restart-chain","args":["ethereum"]}"#,
                                                            authorization: "Bearer \(Self.token)")
        #expect(restarted == 200)
        #expect(restartReply.contains(#""running":true"#))
        // A fresh chain: its breakers start closed again.
        #expect(try await harness.waitForBreaker("alpha", "closed"))
    }

    @Test func aLoadWithTheTokenSendsItsRequestsThroughTheChosenStrategy() async throws {
        let harness = try await Self.harness(token: Self.token)
        defer { Task { await harness.shutdown() } }
        let (status, reply) = try await Self.post(
            port: harness.app.port, "/dashboard/load",
            #"{"chain":"ethereum","strategy":"priority","requests":24,"concurrency":4,"methods":{"eth_gasPrice":2,"net_version":1}}"#,
            authorization: "Bearer \(Self.token)")
        #expect(status == 200)
        #expect(reply.contains(#""requests":24"#))
        // priority: every request goes to alpha, the methods in a 2:1 cycle.
        let delivered = try await waitFor {
            harness.count("alpha", "eth_gasPrice") == 16 && harness.count("alpha", "net_version") == 8
        }
        #expect(delivered)
        #expect(harness.count("beta", "eth_gasPrice") == 0)
        let (bad, badReply) = try await Self.post(
            port: harness.app.port, "/dashboard/load",
            #"{"chain":"ethereum","strategy":"priority","requests":5,"methods":{"eth_sendRawTransaction":1}}"#,
            authorization: "Bearer \(Self.token)")
        #expect(bad == 400)
        #expect(badReply.contains("not offered"))
    }

    @Test func theTokenIsNeitherServedNorPushedNorLogged() async throws {
        let harness = try await Self.harness(token: Self.token)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        _ = try await Self.post(port: harness.app.port, "/dashboard/admin",
                                #"{"cmd":"kill","args":["Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool"]}"#,
                                authorization: "Bearer \(Self.token)")
        // An upstream error quoting the token is scrubbed like a provider key.
        harness.app.logger.log(.warning, "test.echo", ["text": .string("upstream said \(Self.token)")])
        var pushes: [String] = []
        let restarted = try await waitFor {
            guard let text = try await page.nextText() else { return false }
            pushes.append(text)
            return text.contains(#""restarts":1"#)
        }
        #expect(restarted)
        let logged = try await waitFor { harness.logs.lines.contains { $0.contains(#""event":"dashboard.action""#) } }
        #expect(logged)
        for path in ["/", "/dashboard", "/dashboard/app.js", "/dashboard/app.css"] {
            let (_, body) = try await harness.get(path)
            #expect(!body.contains(Self.token), "\(path) shows the token")
        }
        #expect(!pushes.contains { $0.contains(Self.token) })
        #expect(!harness.logs.lines.contains { $0.contains(Self.token) })
        #expect(harness.logs.lines.contains { $0.contains(#""event":"test.echo""#) })
    }

    @Test func theTokenComesFromTheEnvironmentAndMustNotBeShort() throws {
        let config = try LassoConfig.parse(yaml: """
            server: {admin_token: "${LASSO_TEST_TOKEN}"}
            chains: {ethereum: {chain_id: 1, providers: [{id: a, url: "http://127.0.0.1:1"}]}}
            """, environment: ["LASSO_TEST_TOKEN": Self.token])
        #expect(config.server.adminToken == Self.token)
        let empty = try LassoConfig.parse(yaml: """
            server: {admin_token: ""}
            chains: {ethereum: {chain_id: 1, providers: [{id: a, url: "http://127.0.0.1:1"}]}}
            """, environment: [:])
        #expect(empty.server.adminToken == nil)
        #expect(throws: (any Error).self) {
            try LassoConfig.parse(yaml: """
                server: {admin_token: "short"}
                chains: {ethereum: {chain_id: 1, providers: [{id: a, url: "http://127.0.0.1:1"}]}}
                """, environment: [:])
        }
    }

    @Test func theBearerComparisonNeedsEveryByte() {
        #expect(DashboardToken.refusal(configured: nil, authorization: "Bearer x") != nil)
        #expect(DashboardToken.refusal(configured: "abcdefghijklmnop", authorization: "Bearer abcdefghijklmnop") == nil)
        #expect(DashboardToken.refusal(configured: "abcdefghijklmnop", authorization: "Bearer abcdefghijklmnoq") != nil)
        #expect(DashboardToken.refusal(configured: "abcdefghijklmnop", authorization: "Bearer abcdefghijklmno") != nil)
        #expect(DashboardToken.refusal(configured: "abcdefghijklmnop", authorization: "abcdefghijklmnop") != nil)
        #expect(DashboardToken.refusal(configured: "abcdefghijklmnop", authorization: nil) != nil)
    }

    @Test func theDemosSimulatedProvidersCanBeSwitchedFromThePageAndOnlyThere() async throws {
        let harness = try await Self.harness(token: Self.token)
        defer { Task { await harness.shutdown() } }
        let down = #"{"provider":"alpha","behavior":"down"}"#
        let (none, noneReply) = try await Self.post(port: harness.app.port, "/dashboard/simulate", down,
                                                    authorization: "Bearer \(Self.token)")
        #expect(none == 404)
        #expect(noneReply.contains("only lassod demo"))

        let config = try LassoConfig.parse(yaml: """
            server: {admin_token: "\(Self.token)"}
            chains: {ethereum: {chain_id: 1, providers: [{id: placeholder, url: "http://127.0.0.1:1"}]}}
            """, environment: [:])
        let demo = try await LassoDemo.start(config: config, runtime: Runtime(), sink: MemorySink(), port: 0)
        defer { Task { await demo.stop() } }
        demo.application.dashboard.attach(simulator: demo)
        let port = demo.application.port
        let body = #"{"provider":"ethereum_sim_1","behavior":"down"}"#
        let (refused, _) = try await Self.post(port: port, "/dashboard/simulate", body)
        #expect(refused == 403)
        #expect(demo.network.provider(id: "ethereum_sim_1")?.behavior == .healthy)
        let (accepted, _) = try await Self.post(port: port, "/dashboard/simulate", body, authorization: "Bearer \(Self.token)")
        #expect(accepted == 200)
        #expect(demo.network.provider(id: "ethereum_sim_1")?.behavior == .down)
        #expect(demo.behaviors().first { $0.provider == "ethereum_sim_1" }?.behavior == "down")
        let (unknown, unknownReply) = try await Self.post(port: port, "/dashboard/simulate",
                                                          #"{"provider":"ethereum_sim_1","behavior":"melting"}"#,
                                                          authorization: "Bearer \(Self.token)")
        #expect(unknown == 400)
        #expect(unknownReply.contains("unknown behavior"))
        // The page is told: the next push lists the behaviors.
        let page = try #require(DashboardClient(port: port))
        defer { page.close() }
        let state = try await page.state { ($0["simulated"] as? [[String: Any]])?.isEmpty == false }
        let simulated = (state?["simulated"] as? [[String: Any]]) ?? []
        #expect(simulated.contains { $0["provider"] as? String == "ethereum_sim_1" && $0["behavior"] as? String == "down" })
    }
}
