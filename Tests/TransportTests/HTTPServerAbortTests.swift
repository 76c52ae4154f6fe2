import Foundation
import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
/// `HTTPServer.abort` and `abortConnections`: connections cut the way a dying process cuts
/// them, which is what simulated providers need to play `killed`.
@Suite("HTTP server: aborting connections")
struct HTTPServerAbortTests {
    @Test func abortEndsAWebSocketWithNoCloseFrameWhileCloseSendsOne() throws {
        let server = try EchoWebSocketServer()
        let aborted = try #require(RawSocket(port: server.port))
        #expect(aborted.upgrade())
        let first = try #require(server.openedConnection())
        server.server.abort(first)
        #expect(aborted.receive() == [], "the TCP stream ends with not one byte: no close frame")
        #expect(server.events.first { $0 == .close(first, .abnormal) } != nil, "the server reports the drop")

        let closed = try #require(RawSocket(port: server.port))
        #expect(closed.upgrade())
        #expect(waitForBlocking { server.events.all.filter { if case .open = $0 { return true }; return false }.count == 2 })
        let second = try #require(server.events.all.compactMap { event -> WebSocketConnectionID? in
            if case .open(let id, _) = event, id != first { return id }
            return nil
        }.first)
        server.server.close(second, code: .normal)
        #expect(closed.readCloseCode() == 1000, "a close, by contrast, says goodbye")
        #expect(server.fixture.stillServes())
    }

    @Test func abortConnectionsCutsEveryConnectionAndRequestButKeepsListening() throws {
        let events = Recorder<String>()
        // The slow route holds its reply until the test answers it, after the abort: the request
        // is in progress when the connections are cut however slowly this machine runs.
        let held = Recorder<HTTPResponder>()
        let fixture = try ServerFixture(
            webSocket: WebSocketServerHandlers(onOpen: { _, _ in events.record("open") }, onMessage: { _, _ in },
                                               onClose: { _, _ in events.record("close") }),
            routes: { router in
                router.add(.post, "/slow") { _, responder in
                    events.record("request")
                    held.record(responder)
                }
            })
        let pending = try #require(RawSocket(port: fixture.port))
        pending.send(postRequest("/slow", "{}"))
        let idle = try #require(RawSocket(port: fixture.port))
        #expect(idle.send(postRequest("/rpc", #"{"id":1}"#)) && idle.readResponse()?.status == 200)
        let webSocket = try #require(RawSocket(port: fixture.port))
        #expect(webSocket.upgrade())
        #expect(waitForBlocking { events.all.contains("request") && events.all.contains("open") })

        fixture.server.abortConnections()
        #expect(pending.receive() == [], "the request in progress never gets its reply")
        #expect(idle.receive() == [], "an idle keep-alive connection is cut too")
        #expect(webSocket.receive() == [], "and a WebSocket, without a close frame")
        #expect(waitForBlocking { events.all.contains("close") })
        // The reply that comes after its connection was cut goes nowhere and harms nothing.
        for responder in held.all { responder.respond(.json("{}")) }
        #expect(fixture.stillServes(), "the listener still accepts")
        #expect(fixture.server.statistics().openWebSockets == 0)
    }
}
}
