import Foundation
import Testing
@testable import Lasso
import LassoTransport
import Supervision

/// Stopping lassod drains its listener: requests already received finish, new connections are
/// refused, and stop returns only after the last reply (or the drain deadline).
@Suite(.serialized) struct GracefulDrainTests {
    static let latencyMs: UInt64 = 1_500

    @Test func stopFinishesRequestsInFlightRefusesNewConnectionsAndReturnsAfterTheLastReply() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha")])
        let port = harness.app.port
        // An idle keep-alive connection, and one whose request is in flight when the drain begins.
        let idle = try LoopbackConnection(port: port)
        try idle.send("GET", "/api/health")
        #expect(try await LoopbackConnection.offPool { try idle.readResponse() }.status == 200)
        harness.provider("alpha").behavior = .slow(latencyMs: Self.latencyMs)
        let keepAlive = try LoopbackConnection(port: port)
        try keepAlive.send("POST", "/rpc/ethereum", body: #"{"jsonrpc":"2.0","id":100,"method":"eth_chainId"}"#)

        let clock = ContinuousClock()
        let sentAt = clock.now
        let requests = Task {
            await withTaskGroup(of: (Int, String).self) { group in
                for id in 1...4 {
                    group.addTask {
                        let answer = (try? await harness.chainID(id: id)) ?? "failed"
                        return (id, answer)
                    }
                }
                var replies: [Int: String] = [:]
                for await (id, answer) in group {
                    replies[id] = answer
                }
                return replies
            }
        }
        #expect(await harness.eventually { harness.count("alpha") == 5 }, "every request reached the provider")

        let stop = Task { await harness.app.stop(); return clock.now }
        #expect(await harness.eventually { LoopbackConnection.isRefused(port: port) }, "new connections are refused")
        #expect(clock.now - sentAt < .milliseconds(Int(Self.latencyMs)), "refused while the requests were still in flight")
        #expect(try await LoopbackConnection.offPool { idle.readsEndOfStream() }, "an idle keep-alive connection is closed")

        let last = try await LoopbackConnection.offPool { try keepAlive.readResponse() }
        #expect(last.status == 200 && last.body == #"{"jsonrpc":"2.0","id":100,"result":"0x1"}"#)
        #expect(last.headers["connection"] == "close", "the last reply on a keep-alive connection says close")
        #expect(try await LoopbackConnection.offPool { keepAlive.readsEndOfStream() })

        let replies = await requests.value
        let stoppedAt = await stop.value
        for id in 1...4 {
            #expect(replies[id] == #"{"jsonrpc":"2.0","id":\#(id),"result":"0x1"}"#)
        }
        // stop waited for the provider's latency: it returned after the replies were written.
        #expect(stoppedAt - sentAt >= .milliseconds(Int(Self.latencyMs) - 100))
        #expect(harness.logs.lines.last?.contains("lassod.stopped") == true)
        for server in harness.servers.values { server.stop() }
        harness.loop.stop()
    }

    @Test func aRequestThatOutlastsTheDrainDeadlineIsCut() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha")], drainTimeout: .milliseconds(300))
        harness.provider("alpha").behavior = .hanging
        let request = Task { try await harness.chainID() }
        #expect(await harness.eventually { harness.count("alpha") == 1 })

        let clock = ContinuousClock()
        let began = clock.now
        await harness.app.stop()
        let took = clock.now - began
        #expect(took >= .milliseconds(300), "the drain waited for its deadline")
        #expect(took < .seconds(3), "then cut the request instead of waiting for the provider")
        await #expect(throws: HTTPClientError.self) { try await request.value }
        for server in harness.servers.values { server.stop() }
        harness.loop.stop()
    }

    @Test func stopWithNothingInFlightReturnsAtOnce() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha")])
        #expect(try await harness.chainID() == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let clock = ContinuousClock()
        let began = clock.now
        await harness.app.stop()
        #expect(clock.now - began < .seconds(2), "no connection to wait for: no drain delay")
        #expect(LoopbackConnection.isRefused(port: harness.app.port))
        for server in harness.servers.values { server.stop() }
        harness.loop.stop()
    }
}
