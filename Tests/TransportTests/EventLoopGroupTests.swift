import Foundation
import Synchronization
import Testing
@testable import LassoTransport
import TestSupport

extension TransportTests {
/// Several loops share one port and one client: connections spread over the loops, each stays
/// on its loop, and a WebSocket connection is reached from any thread whichever loop owns it.
@Suite("Event loop groups")
struct EventLoopGroupTests {
    @Test func oneServerOnTwoLoopsServesOnBothAndAnswersEveryConnection() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.stop() }
        let servedBy = Recorder<Int>()
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in
            servedBy.record(group.currentIndex ?? -1)
            responder.respond(.json(request.body))
        }
        let server = try HTTPServer(group: group, configuration: .init(port: 0), router: router)
        defer { server.stop() }
        var sockets: [RawSocket] = []
        for index in 0..<64 {
            let socket = try #require(RawSocket(port: server.port))
            socket.send(postRequest("/rpc", #"{"id":\#(index)}"#))
            sockets.append(socket)
        }
        for (index, socket) in sockets.enumerated() { #expect(socket.readResponse()?.text == #"{"id":\#(index)}"#) }
        // The kernel spreads 64 connections over both listeners (all on one: about 2^-63).
        #expect(Set(servedBy.all) == [0, 1])
        #expect(server.statistics().openHTTPConnections == 64)
    }

    @Test func aWebSocketIsReachedFromAnyThreadWhicheverLoopOwnsIt() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.stop() }
        let opened = Recorder<(WebSocketConnectionID, Int)>()
        let server = try HTTPServer(group: group, configuration: .init(port: 0), router: HTTPRouter(),
                                    webSocket: WebSocketServerHandlers(onOpen: { id, _ in opened.record((id, group.currentIndex ?? -1)) },
                                                                       onMessage: { _, _ in }))
        defer { server.stop() }
        var sockets: [RawSocket] = []
        for _ in 0..<16 {
            let socket = try #require(RawSocket(port: server.port))
            #expect(socket.upgrade())
            sockets.append(socket)
        }
        #expect(waitForBlocking { opened.all.count == 16 })
        #expect(Set(opened.all.map(\.1)) == [0, 1])
        // From this (non-loop) thread, each connection gets its own message.
        for (id, _) in opened.all { server.send(id, "to \(id.rawValue)") }
        var received = Set<String>()
        for socket in sockets {
            guard let head = socket.receiveExactly(2), let payload = socket.receiveExactly(Int(head[1] & 0x7F)) else { continue }
            received.insert(String(decoding: payload, as: UTF8.self))
        }
        #expect(received == Set(opened.all.map { "to \($0.0.rawValue)" }))
    }

    @Test func aClientOnAGroupUsesTheLoopItIsCalledOn() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.stop() }
        let upstream = try #require(ScriptedServer { connection, _ in
            while connection.readRequest() != nil { connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") }
        })
        let client = HTTPClient(group: group)
        let url = try #require(UpstreamURL("http://127.0.0.1:\(upstream.port)/"))
        let completedOn = Recorder<Int>()
        for index in 0..<2 {
            group.loops[index].execute {
                client.post(url, body: Array("{}".utf8)) { result in
                    if case .success = result { completedOn.record(group.currentIndex ?? -1) }
                }
            }
        }
        #expect(await waitFor { completedOn.all.count == 2 })
        // Each request ran on the loop it was made on: one connection per loop.
        #expect(completedOn.all.sorted() == [0, 1])
        #expect(upstream.accepted == 2)
    }
}
}
