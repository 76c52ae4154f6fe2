import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// The dashboard end to end over loopback sockets: lassod in front of simulated providers, a
/// page as a raw WebSocket on `/ws/dashboard`, requests and admin operations through the real
/// routes and control.
@Suite(.serialized)
struct DashboardTests {
    static let providers = [LassoHarness.Provider(id: "alpha", fields: "priority: 1"),
                            LassoHarness.Provider(id: "beta", fields: "priority: 2")]

    @Test func servesThePageScriptAndStyleFromTheBinaryWithNoThirdPartyHost() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        defer { Task { await harness.shutdown() } }
        let (rootStatus, root) = try await harness.get("/")
        let (pageStatus, page) = try await harness.get("/dashboard")
        let (scriptStatus, script) = try await harness.get("/dashboard/app.js")
        let (styleStatus, style) = try await harness.get("/dashboard/app.css")
        let statuses: [Int] = [rootStatus, pageStatus, scriptStatus, styleStatus]
        #expect(statuses == [200, 200, 200, 200])
        #expect(root == page)
        #expect(page.contains(#"<script src="/dashboard/app.js""#))
        #expect(page.contains(#"href="/dashboard/app.css""#))
        #expect(script.contains("/ws/dashboard"))
        #expect(style.contains("#leaderboard") || style.contains("table"))
        // Nothing is fetched from elsewhere: no absolute URL in any of the three.
        for text in [page, script, style] { #expect(!text.contains("://")) }
    }

    @Test func pushesChainStatusTreeAndEachRequestToAnOpenPage() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        var texts: [String] = []
        // The first pushes: both providers by id, and the tree the admin socket shows.
        var first: [String: Any]?
        for _ in 0..<100 {
            guard let text = try await page.nextText() else { break }
            texts.append(text)
            guard let state = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  state["type"] as? String == "state" else { continue }
            if DashboardMessage.providers(state).count == 2,
               DashboardMessage.treeNode(state, ["DashboardPublisher"]) != nil { first = state; break }
        }
        let state = try #require(first, "a push with the chain's status and the tree")
        #expect(DashboardMessage.providers(state).compactMap { $0["id"] as? String } == ["alpha", "beta"])
        #expect(DashboardMessage.treeNode(state, ["ChainsSupervisor", "ChainSupervisor(ethereum)", "ProviderPool"]) != nil)

        _ = try await harness.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#)
        var counted = false
        var fed = false
        for _ in 0..<100 where !(counted && fed) {
            guard let text = try await page.nextText() else { break }
            texts.append(text)
            guard let message = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
            if DashboardMessage.matrixCalls(message, method: "eth_blockNumber") == 1 { counted = true }
            let feed = (message["feed"] as? [[String: Any]]) ?? []
            if feed.contains(where: { $0["jsonrpc_method"] as? String == "eth_blockNumber"
                    && ($0["routing"] as? [String: Any]).flatMap { $0["selected_provider"] as? [String: Any] }?["id"] as? String == "alpha" }) {
                fed = true
            }
        }
        #expect(counted, "the request is counted in the provider × method matrix")
        #expect(fed, "the routing decision is in the feed, with the provider chosen")
        // Providers appear by id only: the key in their URLs never reaches a page.
        #expect(!texts.contains { $0.contains("SECRETKEY") || $0.contains("127.0.0.1:") })
    }

    @Test func pushesAreAtLeastAHundredMillisecondsApartAndTheFeedIsSampled() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        _ = try #require(try await page.state { _ in true })
        let total = 300
        /// Sends requests `first..<first + count` from four concurrent clients.
        func burst(_ first: Int, _ count: Int) -> Task<Void, any Error> {
            Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            for index in stride(from: first + worker, to: first + count, by: 4) {
                                _ = try await harness.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":\#(index),"method":"eth_chainId"}"#)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
        var states: [[String: Any]] = []
        var seen = 0
        /// Reads pushes until `target` requests have been shown or counted as skipped.
        func read(until target: Int) async throws {
            while seen < target, states.count < 2_000 {
                guard let message = try await page.next() else { break }
                guard message["type"] as? String == "state" else { continue }
                states.append(message)
                seen += ((message["feed"] as? [Any])?.count ?? 0) + (message["feed_skipped"] as? Int ?? 0)
            }
        }
        // Two halves, the second sent only once a push has reported the first, so that the
        // requests span at least two pushes however fast this machine answers them.
        let firstHalf = burst(0, total / 2)
        try await read(until: total / 2)
        try await firstHalf.value
        let secondHalf = burst(total / 2, total / 2)
        try await read(until: total)
        try await secondHalf.value
        // Every request is either shown or counted as skipped, never lost.
        #expect(seen == total)
        #expect(states.count >= 2)
        let stamps = states.compactMap { $0["mono_ms"] as? Int }
        let seqs = states.compactMap { $0["seq"] as? Int }
        #expect(stamps.count == states.count)
        for (earlier, later) in zip(stamps, stamps.dropFirst()) {
            // 100 ms apart in nanoseconds; whole milliseconds here, so 99 after truncation.
            #expect(later - earlier >= 99, "pushes \(earlier) ms and \(later) ms are closer than the throttle allows")
        }
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "one page sees every push")
        for state in states { #expect(((state["feed"] as? [Any])?.count ?? 0) <= 10) }
    }

    @Test func showsABreakerForcedOpenAndANodeRestartedByAnOperator() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        let control = TreeControl(application: harness.app, configPath: nil)
        _ = try #require(try await page.state { DashboardMessage.providers($0).count == 2 })

        _ = try await control.breaker(chain: "ethereum", provider: "alpha", transport: .http, action: .open)
        let opened = try await page.state { state in
            let alpha = DashboardMessage.providers(state).first { $0["id"] as? String == "alpha" }
            let transitions = (DashboardMessage.chain(state)?["transitions"] as? [[String: Any]]) ?? []
            return (alpha?["breakers"] as? [String: String])?["http"] == "forced_open"
                && transitions.contains { $0["provider"] as? String == "alpha" && $0["to"] as? String == "forced_open"
                    && $0["from"] as? String == "closed" }
        }
        #expect(opened != nil, "the page shows alpha's breaker forced open, with the transition")

        let path = ["ChainsSupervisor", "ChainSupervisor(ethereum)", "ProviderPool"]
        _ = try await control.kill(path: "Application/" + path.joined(separator: "/"))
        let restarted = try await page.state { state in
            (DashboardMessage.treeNode(state, path)?["restarts"] as? Int ?? 0) >= 1
        }
        #expect(restarted != nil, "the page's tree shows the ProviderPool restarted")
    }
}

extension DashboardTests {
    @Test func aPageGetsTheHourlyHistoryTheNodeKeeps() async throws {
        let directory = try BenchmarkPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harness = try await LassoHarness(providers: Self.providers, settings: "benchmarks: {data_dir: \"\(directory)\"}")
        defer { Task { await harness.shutdown() } }
        for id in 0..<5 { _ = try await harness.chainID(id: id) }
        // Attempts reach the store in batches (every 10 ms): the snapshot is taken once all five are in.
        let store = try #require(harness.app.services.names.benchmarkStore)
        let key = MetricKey(providerID: "alpha", method: "eth_chainId", transport: .http)
        #expect(await waitFor {
            guard case .stats(let stats)? = try? await store.call(.stats(chain: "ethereum", key: key)) else { return false }
            return stats?.count == 5
        })
        let persistence = try #require(harness.app.services.names.benchmarkPersistence)
        let written = try await waitFor { try await persistence.call(.historyNow) }
        #expect(written)
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        var history: [String: Any]?
        for _ in 0..<100 {
            guard let message = try await page.next() else { break }
            if message["type"] as? String == "history" { history = message; break }
        }
        let chains = try #require(history?["chains"] as? [String: Any])
        let alpha = try #require((chains["ethereum"] as? [String: Any])?["alpha"] as? [[Any]])
        #expect(alpha.count == 1)
        #expect(alpha.first?[3] as? Int == 5, "[start_ms, mean_ms, success_rate, calls]: five calls")
        #expect(alpha.first?[2] as? Double == 1)
    }
}
