import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
@Suite("WebSocket server and client")
struct WebSocketTests {
    private func connectedClient(_ url: String, configuration: WebSocketClient.Configuration = .init(),
                                 loop: EventLoop) throws -> (WebSocketClient, Recorder<WebSocketClientEvent>) {
        let events = Recorder<WebSocketClientEvent>()
        let client = WebSocketClient(loop: loop, url: try #require(UpstreamURL(url)), configuration: configuration) {
            events.record($0)
        }
        client.start()
        #expect(events.first { $0 == .connected } != nil)
        return (client, events)
    }

    @Test func echoTextBinaryAndLargeFragmentedMessages() throws {
        let server = try EchoWebSocketServer()
        let loop = try EventLoop()
        defer { loop.stop() }
        let (client, events) = try connectedClient("ws://127.0.0.1:\(server.port)/ws/rpc?x=1", loop: loop)
        #expect(server.events.first { if case .open(_, "/ws/rpc") = $0 { return true }; return false } != nil)
        client.send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)
        #expect(events.first { $0 == .message(.text(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)) } != nil)
        let binary = WebSocketMessage(isBinary: true, bytes: [0, 1, 2, 255])
        client.send(binary)
        #expect(events.first { $0 == .message(binary) } != nil)
        // Larger than the 16 KiB receive buffer: arrives in pieces on both sides.
        let large = WebSocketMessage.text(String(repeating: "0123456789", count: 50_000))
        client.send(large)
        #expect(events.first { $0 == .message(large) } != nil)
        client.close(code: .goingAway)
        #expect(events.first { $0 == .closed } != nil)
        #expect(server.closeCode() == .goingAway)
    }

    @Test func rawFragmentedMessageIsReassembled() throws {
        let server = try EchoWebSocketServer(echo: false)
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        socket.send(RawSocket.frame(opcode: 0x1, payload: Array("hel".utf8), fin: false)
                    + RawSocket.frame(opcode: 0x0, payload: Array("lo ".utf8), fin: false)
                    + RawSocket.frame(opcode: 0x0, payload: Array("world".utf8), fin: true))
        #expect(server.events.first { if case .message(_, .text("hello world")) = $0 { return true }; return false } != nil)
    }

    @Test func oversizedMessageClosesWith1009() throws {
        let server = try EchoWebSocketServer(configure: { $0.webSocketMaxMessageBytes = 1000 })
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.backoff = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(5))
        let (client, events) = try connectedClient("ws://127.0.0.1:\(server.port)/", configuration: configuration, loop: loop)
        client.send(String(repeating: "x", count: 2000))
        #expect(events.first { $0 == .disconnected(.closed(.messageTooBig)) } != nil)
        #expect(server.closeCode() == .messageTooBig)
        client.close()
        #expect(server.fixture.stillServes())
    }

    @Test func serverCloseCodeReachesClient() throws {
        let server = try EchoWebSocketServer()
        let loop = try EventLoop()
        defer { loop.stop() }
        let (client, events) = try connectedClient("ws://127.0.0.1:\(server.port)/", loop: loop)
        let id = try #require(server.openedConnection())
        server.server.close(id, code: WebSocketCloseCode(rawValue: 4001))
        #expect(events.first { $0 == .disconnected(.closed(WebSocketCloseCode(rawValue: 4001))) } != nil)
        client.close()
    }

    @Test func slowConsumerIsClosedWith1008() throws {
        let server = try EchoWebSocketServer(configure: { $0.webSocketMaxQueuedBytes = 256 * 1024 })
        let socket = try #require(RawSocket(port: server.port, receiveBuffer: 4096))
        #expect(socket.upgrade())
        let id = try #require(server.openedConnection())
        let chunk = WebSocketMessage.text(String(repeating: "s", count: 64 * 1024))
        // The client never reads: the kernel buffers fill, then the server's queue, then 1008.
        for _ in 0..<200 { server.server.send(id, chunk) }
        #expect(server.closeCode() == .policyViolation)
        #expect(server.fixture.stillServes())
    }

    @Test func garbageFramesAndInvalidUTF8() throws {
        // lws waits `slowClientTimeout` for the close handshake a raw client never completes.
        let server = try EchoWebSocketServer(configure: { $0.slowClientTimeout = .seconds(1) })
        let garbage = try #require(RawSocket(port: server.port))
        #expect(garbage.upgrade())
        garbage.send([0x8B, 0x80, 0x01, 0x02, 0x03, 0x04] + Array(repeating: 0xEE, count: 64))
        #expect(garbage.waitForClose())

        let invalid = try #require(RawSocket(port: server.port))
        #expect(invalid.upgrade())
        invalid.send(RawSocket.frame(opcode: 0x1, payload: [0x7B, 0xFF, 0xFE, 0x7D]))
        #expect(invalid.readCloseCode() == 1007)

        let reservedOpcode = try #require(RawSocket(port: server.port))
        #expect(reservedOpcode.upgrade())
        reservedOpcode.send(RawSocket.frame(opcode: 0x3, payload: Array("hi".utf8)))
        #expect(reservedOpcode.waitForClose())

        #expect(server.fixture.stillServes())
        let loop = try EventLoop()
        defer { loop.stop() }
        let (client, events) = try connectedClient("ws://127.0.0.1:\(server.port)/", loop: loop)
        client.send("still here")
        #expect(events.first { $0 == .message(.text("still here")) } != nil)
        client.close()
    }

    @Test func idleConnectionIsPingedThenHungUp() throws {
        let server = try EchoWebSocketServer(configure: {
            $0.webSocketPingInterval = .seconds(1)
            $0.webSocketIdleTimeout = .seconds(2)
        })
        let socket = try #require(RawSocket(port: server.port, timeoutSeconds: 15))
        #expect(socket.upgrade())
        // The raw client never answers pings, so the server must give up on it.
        #expect(socket.waitForClose())
        #expect(server.closeCode() != nil)
    }

    @Test func clientReconnectsAfterServerRestart() throws {
        var server: EchoWebSocketServer? = try EchoWebSocketServer()
        let port = try #require(server?.port)
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.backoff = ReconnectBackoff(initial: .milliseconds(50), multiplier: 2, maximum: .milliseconds(200), jitter: 0.1)
        let (client, events) = try connectedClient("ws://127.0.0.1:\(port)/", configuration: configuration, loop: loop)
        server = nil
        #expect(events.first { if case .disconnected = $0 { return true }; return false } != nil)
        #expect(events.first { $0 == .reconnecting(attempt: 1, delay: .zero) } != nil)
        #expect(waitForBlocking { events.all.contains(.disconnected(.connectFailed(address: "127.0.0.1:\(port)"))) })
        let restarted = try EchoWebSocketServer(configure: { $0.port = port })
        #expect(waitForBlocking { events.all.filter { $0 == .connected }.count == 2 })
        client.send("again")
        #expect(events.first { $0 == .message(.text("again")) } != nil)
        client.close()
        _ = restarted
    }

    @Test func silenceIsDetected() throws {
        let server = try EchoWebSocketServer(echo: false)
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.silenceTimeout = .milliseconds(300)
        configuration.backoff = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(5))
        let (client, events) = try connectedClient("ws://127.0.0.1:\(server.port)/", configuration: configuration, loop: loop)
        #expect(events.first { $0 == .disconnected(.silent) } != nil)
        #expect(events.first { $0 == .reconnecting(attempt: 1, delay: .zero) } != nil)
        client.close()
        #expect(events.first { $0 == .closed } != nil)
    }

    @Test func wssWithCustomCA() throws {
        let certificates = try #require(TestCertificates.shared)
        let server = try EchoWebSocketServer(configure: {
            $0.tls = TLSCredentials(certificatePath: certificates.certificatePath, privateKeyPath: certificates.keyPath)
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = WebSocketClient.Configuration()
        configuration.caFilePath = certificates.caPath
        let (client, events) = try connectedClient("wss://localhost:\(server.port)/", configuration: configuration, loop: loop)
        client.send("secure")
        #expect(events.first { $0 == .message(.text("secure")) } != nil)
        client.close()
    }

    @Test func closedClientStreamFinishes() async throws {
        let server = try EchoWebSocketServer()
        let loop = try EventLoop()
        defer { loop.stop() }
        let (events, continuation) = AsyncStream<WebSocketClientEvent>.makeStream()
        let client = WebSocketClient(loop: loop, url: try #require(UpstreamURL("ws://127.0.0.1:\(server.port)/"))) { event in
            continuation.yield(event)
            if event == .closed { continuation.finish() }
        }
        client.start()
        var seen: [WebSocketClientEvent] = []
        for await event in events {
            seen.append(event)
            if event == .connected { client.close() }
        }
        #expect(seen == [.connected, .closed])
    }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    let backoff = ReconnectBackoff(initial: .milliseconds(500), multiplier: 2, maximum: .seconds(30), jitter: 0.2)

    @Test func firstRetryIsImmediate() {
        #expect(backoff.seconds(attempt: 0, random: 0) == 0)
        #expect(backoff.seconds(attempt: 0, random: 0.99) == 0)
    }

    @Test func growsGeometricallyWithoutJitterAtMidpoint() {
        #expect(backoff.seconds(attempt: 1, random: 0.5) == 0.5)
        #expect(backoff.seconds(attempt: 2, random: 0.5) == 1)
        #expect(backoff.seconds(attempt: 4, random: 0.5) == 4)
    }

    @Test func jitterStaysWithinBounds() {
        for attempt in 1...10 {
            let low = backoff.seconds(attempt: attempt, random: 0)
            let high = backoff.seconds(attempt: attempt, random: 0.999_999)
            let mid = backoff.seconds(attempt: attempt, random: 0.5)
            #expect(low <= mid && mid <= high)
            #expect(low >= mid * 0.8 - 1e-9)
            #expect(high <= min(mid * 1.2, 30) + 1e-9)
        }
    }

    @Test func cappedAtMaximumEvenWithJitter() {
        for attempt in [7, 8, 20, 1000, Int.max] {
            #expect(backoff.seconds(attempt: attempt, random: 0.999) <= 30)
            #expect(backoff.seconds(attempt: attempt, random: 0) >= 24 - 1e-9)
        }
    }
}
}

extension ReconnectBackoff {
    /// `delay(attempt:random:)` in seconds, where the bounds above are easiest to read.
    func seconds(attempt: Int, random: Double) -> Double {
        let (seconds, attoseconds) = delay(attempt: attempt, random: random).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
