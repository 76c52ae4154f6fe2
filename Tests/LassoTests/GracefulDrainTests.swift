import Foundation
import Testing
@testable import Lasso
import LassoTransport
import Supervision
import TestSupport

/// Stopping lassod drains its listener: requests already received finish, new connections are
/// refused, and stop returns only after the last reply (or the drain deadline).
///
/// The provider holds its replies until the test releases them (`HeldRepliesUpstream`), so what
/// was still in flight is known from the order of events, never from how long something took.
@Suite(.serialized) struct GracefulDrainTests {
    static let chainID = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#

    static func answer(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"result":"0x1"}"# }

    @Test func stopFinishesRequestsInFlightRefusesNewConnectionsAndReturnsAfterTheLastReply() async throws {
        let upstream = try HeldRepliesUpstream(holding: "eth_chainId")
        let harness = try await LassoHarness(providers: [.init(id: "alpha", url: upstream.url)])
        let port = harness.app.port
        // An idle keep-alive connection, and one whose request is in flight when the drain begins.
        let idle = try #require(RawSocket(port: port))
        idle.send(httpRequest("GET", "/api/health"))
        #expect(try #require(await idle.readResponse()).status == 200)
        let keepAlive = try #require(RawSocket(port: port))
        keepAlive.send(httpRequest("POST", "/rpc/ethereum", body: #"{"jsonrpc":"2.0","id":100,"method":"eth_chainId"}"#))

        let events = Journal()
        let requests = Task {
            await withTaskGroup(of: (Int, String).self) { group in
                for id in 1...4 {
                    group.addTask {
                        let answer = (try? await harness.chainID(id: id)) ?? "failed"
                        events.record("reply \(id)")
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
        #expect(await waitFor { upstream.heldCount == 5 }, "every request reached the provider")

        let stop = Task {
            await harness.app.stop()
            events.record("stopped")
        }
        #expect(await waitFor { RawSocket.isRefused(port: port) }, "new connections are refused")
        #expect(await idle.readsEndOfStream(), "an idle keep-alive connection is closed")
        events.record("released")
        upstream.releaseAll()

        let last = try #require(await keepAlive.readResponse())
        #expect(last.status == 200 && last.text == #"{"jsonrpc":"2.0","id":100,"result":"0x1"}"#)
        #expect(last.headers["connection"] == "close", "the last reply on a keep-alive connection says close")
        #expect(await keepAlive.readsEndOfStream())
        // The server has shut its side of both; closing ours, as a client does, ends the drain
        // (a half-open connection would hold it until the keep-alive timeout).
        keepAlive.shutdownWrite()
        idle.shutdownWrite()

        let replies = await requests.value
        await stop.value
        for id in 1...4 {
            #expect(replies[id] == Self.answer(id))
        }
        // Refused and closed while the provider still held every reply; stop waited for them:
        // nothing came back, and stop did not return, before the replies were released.
        #expect(events.all.first == "released", "\(events.all)")
        #expect(harness.logs.lines.last?.contains("lassod.stopped") == true)
        for server in harness.servers.values { server.stop() }
        harness.loop.stop()
        upstream.stop()
    }

    @Test func aRequestThatOutlastsTheDrainDeadlineIsCut() async throws {
        // The deadline leaves a loaded machine ample time to deliver the reply released first.
        let upstream = try HeldRepliesUpstream(holding: "eth_chainId")
        let harness = try await LassoHarness(providers: [.init(id: "alpha", url: upstream.url)],
                                             drainTimeout: .seconds(3))
        let events = Journal()
        let answered = Task {
            let answer = try await harness.chainID(id: 1)
            events.record("answered")
            return answer
        }
        #expect(await waitFor { upstream.heldCount == 1 })
        let outlasting = Task {
            defer { events.record("cut") }
            return try await harness.chainID(id: 2)
        }
        #expect(await waitFor { upstream.heldCount == 2 })

        let stop = Task {
            await harness.app.stop()
            events.record("stopped")
        }
        #expect(await waitFor { RawSocket.isRefused(port: harness.app.port) }, "the drain began")
        // The drain waits for what is in flight: a reply that comes within its deadline is delivered…
        upstream.releaseOldest()
        #expect(try await answered.value == Self.answer(1))
        // …and what is still held at the deadline is cut: stop returns without the provider's answer.
        #expect(await waitFor { events.all.contains("stopped") }, "stop returned while the provider still held a reply")
        #expect(upstream.heldCount == 1)
        await #expect(throws: HTTPClientError.self) { try await outlasting.value }
        await stop.value
        #expect(events.all.first == "answered", "\(events.all)")
        for server in harness.servers.values { server.stop() }
        harness.loop.stop()
        upstream.stop()
    }

    @Test func stopWithNothingInFlightReturnsAtOnce() async throws {
        // A drain deadline no test would wait for: stop returning at all shows it was not awaited.
        let harness = try await LassoHarness(providers: [.init(id: "alpha")], drainTimeout: .seconds(3_600))
        #expect(try await harness.chainID() == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let stopped = Journal()
        Task {
            await harness.app.stop()
            stopped.record("stopped")
        }
        #expect(await waitFor { stopped.all == ["stopped"] }, "no connection to wait for: no drain delay")
        #expect(RawSocket.isRefused(port: harness.app.port))
        for server in harness.servers.values { server.stop() }
        harness.loop.stop()
    }
}
