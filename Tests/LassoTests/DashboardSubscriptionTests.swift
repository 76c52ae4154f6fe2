import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import TestSupport

/// The dashboard's subscriptions panel and its feed of failovers, end to end: lassod in front
/// of two simulated providers with WebSockets (`GapFillingEndToEndTests.Stack`), a client
/// following `newHeads`, a page on `/ws/dashboard`, and the carrying provider killed.
@Suite(.serialized)
struct DashboardSubscriptionTests {
    /// The `newHeads` stream in a push, if it has one.
    static func heads(_ state: [String: Any]) -> [String: Any]? {
        (DashboardMessage.chain(state)?["subscriptions"] as? [[String: Any]])?.first { $0["key"] as? String == "newHeads" }
    }

    @Test func aKilledProviderShowsAsAFailoverInTheFeedAndThePanel() async throws {
        let stack = try await GapFillingEndToEndTests.Stack()
        let page = try #require(DashboardClient(port: stack.app.port))
        let client = try #require(try await stack.sockets(1).first)
        let id = try await client.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await client.notifications(for: id, atLeast: 2)

        var texts: [String] = []
        func read(until condition: ([String: Any]) -> Bool) async throws -> [String: Any]? {
            for _ in 0..<300 {
                guard let text = try await page.nextText() else { return nil }
                texts.append(text)
                if let message = TestWebSocket.object(text), condition(message) { return message }
            }
            return nil
        }
        // The panel: one key, carried by alpha, live, one client, blocks going by.
        let before = try #require(try await read { message in
            guard message["type"] as? String == "state", let heads = Self.heads(message) else { return false }
            return heads["provider"] as? String == "alpha" && heads["phase"] as? String == "live"
                && heads["clients"] as? Int == 1 && (heads["last_block"] as? Int ?? 0) > 0
        }, "a push showing the newHeads stream live on alpha")
        #expect(Self.heads(before)?["failovers"] as? Int == 0)
        #expect(DashboardMessage.chain(before)?["subscription_keys"] as? Int == 1)
        // The status object does not carry the streams a second time.
        #expect(((DashboardMessage.chain(before)?["status"] as? [String: Any])?["subscriptions"] as? [Any])?.isEmpty == true)

        stack.alpha.provider.behavior = .killed
        // The feed shows the failover start, then its end, as they happen.
        var feed: [[String: Any]] = []
        func failovers() -> [[String: Any]] {
            feed.filter { ($0["event"] as? String)?.hasPrefix("subscription.failover.") == true }
        }
        _ = try await read { message in
            feed += (message["feed"] as? [[String: Any]]) ?? []
            return failovers().contains { $0["event"] as? String == "subscription.failover.completed" }
        }
        let events = failovers()
        #expect(events.compactMap { $0["event"] as? String }
                == ["subscription.failover.started", "subscription.failover.completed"])
        let started = try #require(events.first)
        #expect(started["chain"] as? String == "ethereum")
        #expect(started["key"] as? String == "newHeads")
        #expect(started["reason"] as? String == "socket_closed")
        #expect(started["from"] as? String == "alpha")
        let completed = try #require(events.last)
        #expect(completed["from"] as? String == "alpha")
        #expect(completed["to"] as? String == "beta")
        #expect((completed["duration_ms"] as? Int).map { $0 >= 0 } == true)
        #expect(completed["backfilled"] is Int)
        #expect(completed["skipped"] as? Int == 0)

        // The panel: carried by beta now, one failover, and how it went.
        let after = try #require(try await read { message in
            guard message["type"] as? String == "state", let heads = Self.heads(message) else { return false }
            return heads["provider"] as? String == "beta" && heads["phase"] as? String == "live"
                && (heads["last_failover"] as? [String: Any])?["duration_ms"] is Int
        }, "a push showing the stream live on beta after its failover")
        let heads = try #require(Self.heads(after))
        #expect(heads["failovers"] as? Int == 1)
        #expect(heads["clients"] as? Int == 1)
        #expect(heads["skipped"] as? Int == 0)
        let table = try #require(stack.status(.newHeads))
        #expect(heads["backfilled"] as? Int == table.counters.backfilled)
        let last = try #require(heads["last_failover"] as? [String: Any])
        #expect(last["reason"] as? String == "socket_closed")
        #expect(last["from"] as? String == "alpha")
        #expect(last["to"] as? String == "beta")
        #expect(last["duration_ms"] as? Int == completed["duration_ms"] as? Int)
        // Providers by id only: no URL reaches the page.
        #expect(!texts.contains { $0.contains(stack.alpha.url) || $0.contains(stack.beta.url) || $0.contains("ws://") })
        page.close()
        client.close()
        await stack.shutdown()
    }
}
