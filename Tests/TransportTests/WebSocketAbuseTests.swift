import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
/// RFC 6455 enforced on both ends: frames a hostile client sends the server, and messages a
/// hostile provider sends the client. The server and the client's loop survive each.
@Suite("WebSocket under abuse")
struct WebSocketAbuseTests {
    private static func unmasked(opcode: UInt8, payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var frame = RawSocket.serverFrame(opcode: opcode, payload: payload, fin: fin)
        frame[0] |= rsv
        return frame
    }

    @Test(arguments: [
        ("unmasked frame", unmasked(opcode: 0x1, payload: Array("hi".utf8))),
        ("reserved bit", { var frame = RawSocket.frame(opcode: 0x1, payload: [0x61]); frame[0] |= 0x40; return frame }()),
        ("reserved opcode", RawSocket.frame(opcode: 0x3, payload: [0x61])),
        ("fragmented ping", RawSocket.frame(opcode: 0x9, payload: [0x61], fin: false)),
        ("ping over 125 bytes", RawSocket.frame(opcode: 0x9, payload: [UInt8](repeating: 0x61, count: 126))),
        ("continuation first", RawSocket.frame(opcode: 0x0, payload: [0x61])),
        ("new message inside a fragmented one",
         RawSocket.frame(opcode: 0x1, payload: [0x61], fin: false) + RawSocket.frame(opcode: 0x1, payload: [0x62])),
        ("close code 1005 on the wire", RawSocket.frame(opcode: 0x8, payload: [0x03, 0xED])),
        ("close payload of one byte", RawSocket.frame(opcode: 0x8, payload: [0x03])),
        ("a 2^63 length", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]),
    ])
    func aProtocolViolationIsClosedWithItsCode(_ name: String, _ frame: [UInt8]) throws {
        let server = try EchoWebSocketServer()
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        socket.send(frame)
        let code = socket.readCloseCode()
        #expect(code == 1002 || (name == "a 2^63 length" && code == 1009), "\(name): \(String(describing: code))")
        #expect(server.fixture.stillServes())
    }

    @Test func invalidUTF8InACloseReasonIs1007() throws {
        let server = try EchoWebSocketServer()
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        socket.send(RawSocket.frame(opcode: 0x8, payload: [0x03, 0xE8, 0xFF, 0xFE]))
        #expect(socket.readCloseCode() == 1007)
    }

    @Test func aPingIsAnsweredWithItsPayloadAndACloseIsEchoed() throws {
        let server = try EchoWebSocketServer()
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        socket.send(RawSocket.frame(opcode: 0x9, payload: Array("are you there".utf8)))
        let head = try #require(socket.receiveExactly(2))
        #expect(head[0] == 0x8A)
        #expect(socket.receiveExactly(Int(head[1])) == Array("are you there".utf8))
        socket.send(RawSocket.frame(opcode: 0x8, payload: [0x0F, 0xA0]))  // 4000
        #expect(socket.readCloseCode() == 4000)
        #expect(server.events.first { if case .close(_, let code) = $0 { return code.rawValue == 4000 }; return false } != nil)
    }

    @Test func framesSplitAtEveryByteAndPipelinedInOneWriteArriveWhole() throws {
        let server = try EchoWebSocketServer(echo: false)
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        let frames = RawSocket.frame(opcode: 0x1, payload: Array("first".utf8), fin: false)
            + RawSocket.frame(opcode: 0x9, payload: [])
            + RawSocket.frame(opcode: 0x0, payload: Array(" part".utf8))
            + RawSocket.frame(opcode: 0x2, payload: [1, 2, 3])
        for byte in frames { socket.send([byte]) }
        socket.send(frames)
        let messages = { server.events.all.compactMap { event -> WebSocketMessage? in
            if case .message(_, let message) = event { return message }
            return nil
        } }
        #expect(waitForBlocking { messages().count == 4 })
        #expect(messages() == [.text("first part"), WebSocketMessage(isBinary: true, bytes: [1, 2, 3]),
                               .text("first part"), WebSocketMessage(isBinary: true, bytes: [1, 2, 3])])
    }

    @Test func framesSentWithTheHandshakeAreNotLost() throws {
        let server = try EchoWebSocketServer(echo: false)
        let socket = try #require(RawSocket(port: server.port))
        socket.send(Array(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
                    + RawSocket.frame(opcode: 0x1, payload: Array("early".utf8)))
        #expect(socket.readResponse()?.status == 101)
        #expect(server.events.first { $0 == .message(server.openedConnection() ?? WebSocketConnectionID(rawValue: 0), .text("early")) } != nil)
    }

    @Test func aHandshakeWithTheWrongVersionIs426AndWithoutAKeyIs400() throws {
        let server = try EchoWebSocketServer()
        let wrongVersion = try #require(server.fixture.roundTrip(
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"))
        #expect(wrongVersion.status == 426)
        #expect(wrongVersion.headers["sec-websocket-version"] == "13")
        #expect(server.fixture.roundTrip(
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")?.status == 400)
    }

    // MARK: A hostile provider against the client

    private func client(_ url: String, configuration: WebSocketClient.Configuration = .init(), loop: EventLoop)
        throws -> (WebSocketClient, Recorder<WebSocketClientEvent>) {
        let events = Recorder<WebSocketClientEvent>()
        let client = WebSocketClient(loop: loop, url: try #require(UpstreamURL(url)), configuration: configuration) {
            events.record($0)
        }
        client.start()
        return (client, events)
    }

    @Test func anUnsolicitedMessageOverAMebibyteIsDeliveredNotFatal() throws {
        let big = [UInt8](repeating: 0x61, count: 1_100_000)
        let provider = try #require(ScriptedServer { connection, _ in
            guard connection.acceptWebSocket() else { return }
            connection.send(RawSocket.serverFrame(opcode: 0x1, payload: big))
            _ = connection.receive()
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        let (client, events) = try client("ws://127.0.0.1:\(provider.port)/", loop: loop)
        #expect(events.first { if case .message(let message) = $0 { return message.bytes.count == big.count }; return false } != nil)
        client.close()
    }

    @Test func aMessageOverTheCapClosesWith1009AndReconnects() throws {
        let closeCodes = Recorder<UInt16?>()
        let provider = try #require(ScriptedServer { connection, index in
            guard connection.acceptWebSocket() else { return }
            if index == 0 {
                connection.send(RawSocket.serverFrame(opcode: 0x1, payload: [UInt8](repeating: 0x62, count: 2000)))
                closeCodes.record(connection.readCloseCode())
            } else {
                connection.send(RawSocket.serverFrame(opcode: 0x1, payload: Array("fine".utf8)))
                _ = connection.receive()
            }
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.maxMessageBytes = 1000
        let (client, events) = try client("ws://127.0.0.1:\(provider.port)/", configuration: configuration, loop: loop)
        #expect(events.first { $0 == .disconnected(.messageTooBig) } != nil)
        #expect(closeCodes.first { _ in true } == .some(1009))
        #expect(events.first { $0 == .message(.text("fine")) } != nil)
        client.close()
    }

    @Test(arguments: [
        ("a masked server frame", RawSocket.frame(opcode: 0x1, payload: [0x61])),
        ("garbage", [UInt8](repeating: 0xFF, count: 64)),
        ("a fragmented ping", unmasked(opcode: 0x9, payload: [], fin: false)),
    ])
    func aProviderThatBreaksTheProtocolIsDroppedAndRetried(_ name: String, _ bytes: [UInt8]) throws {
        let provider = try #require(ScriptedServer { connection, index in
            guard connection.acceptWebSocket() else { return }
            connection.send(index == 0 ? bytes : RawSocket.serverFrame(opcode: 0x1, payload: Array("ok".utf8)))
            _ = connection.receive()
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(50))
        let (client, events) = try client("ws://127.0.0.1:\(provider.port)/", configuration: configuration, loop: loop)
        #expect(events.first { $0 == .disconnected(.closed(.protocolError)) } != nil, "\(name)")
        #expect(events.first { $0 == .message(.text("ok")) } != nil, "\(name)")
        client.close()
    }

    @Test func aProviderAnsweringTheUpgradeWithTheWrongKeyOrAnErrorIsRefused() throws {
        let provider = try #require(ScriptedServer { connection, index in
            _ = connection.readHead()
            if index == 0 {
                connection.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n")
            } else {
                connection.send("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            }
            _ = connection.receive()
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(50))
        let (client, events) = try client("ws://127.0.0.1:\(provider.port)/", configuration: configuration, loop: loop)
        #expect(waitForBlocking { events.all.filter { if case .disconnected(.connectFailed) = $0 { return true }; return false }.count >= 2 })
        #expect(!events.all.contains(.connected))
        client.close()
    }
}
}
