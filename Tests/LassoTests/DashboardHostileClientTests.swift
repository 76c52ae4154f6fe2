import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// Hostile clients of `WS /ws/dashboard` over real sockets: one that floods, one that sends
/// frames no browser would, one that never reads, one that half-closes. Each time the other
/// pages keep getting their pushes and ordinary JSON-RPC clients keep being answered, and the
/// hostile one costs a bounded, documented amount (docs/dashboard.md, "Hostile clients").
///
/// lassod runs one event loop here, so a client that could hog it would starve everyone else
/// in the test, not just the peers that happen to share its loop.
@Suite(.serialized)
struct DashboardHostileClientTests {
    static let settings = "server: {event_loops: 1, websocket_max_queued_bytes: 32768}"

    /// `eth_blockNumber` requests counted so far (what the pushes' matrix shows).
    static func counted(_ harness: LassoHarness) -> Int {
        harness.app.dashboard.counters.snapshot().requests.filter { $0.method == "eth_blockNumber" }
            .reduce(0) { $0 + Int(clamping: $1.successes + $1.errors) }
    }

    /// Sends requests over HTTP, each answered and then seen by `page` in a push: the proxy
    /// answers and the publisher keeps pushing to `page`. With `socket`, a JSON-RPC WebSocket
    /// client is answered too.
    static func servedWhileHostile(_ harness: LassoHarness, page: DashboardClient, requests: Int,
                                   alsoOver socket: TestWebSocket? = nil) async throws {
        for index in 1...requests {
            let reply = try await harness.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":\#(index),"method":"eth_blockNumber"}"#)
            #expect(reply.contains(#""result":"0x"#), "request \(index) answered")
            let total = counted(harness)
            let pushed = try await page.state { DashboardMessage.matrixCalls($0, method: "eth_blockNumber") >= total }
            #expect(pushed != nil, "request \(index) pushed to the other page")
        }
        if let socket {
            socket.send(#"{"jsonrpc":"2.0","id":99,"method":"eth_chainId"}"#)
            #expect(try await socket.reply(id: "99").contains(#""result":"0x1""#), "a JSON-RPC WebSocket client answered")
        }
    }

    /// Sends `frames` over and over from a thread of its own until `stop` opens or the server
    /// stops taking them; returns how many bytes went out.
    static func flood(_ socket: RawSocket, _ frames: [UInt8], until stop: Gate) async -> Int {
        await offPool {
            var sent = 0
            while !stop.isOpen, socket.send(frames) { sent += frames.count }
            return sent
        }
    }

    @Test func aPageThatFloodsMessagesIsIgnoredAndTheOthersKeepBeingServed() async throws {
        let harness = try await LassoHarness(providers: DashboardTests.providers, settings: Self.settings)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        let flooder = try #require(RawSocket(port: harness.app.port))
        #expect(flooder.upgrade(path: DashboardHub.webSocketPath))
        try #require(await waitFor { harness.app.dashboard.openPages == 2 })
        let rpc = try TestWebSocket(loop: harness.loop, port: harness.app.port, path: "/ws/rpc/ethereum")
        try await rpc.connected()

        // Text, binary and ping messages, ~64 KiB a round, as fast as the kernel takes them, and
        // never a read: before pongs were bounded, the pongs it was owed grew without end and
        // this flood stopped the loop from answering anyone (the first request timed out).
        var round: [UInt8] = []
        while round.count < 64 << 10 {
            round += RawSocket.frame(opcode: 0x1, payload: Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#.utf8))
            round += RawSocket.frame(opcode: 0x2, payload: [UInt8](repeating: 0xFF, count: 64))
            round += RawSocket.frame(opcode: 0x9, payload: [])
        }
        let stop = Gate()
        defer { stop.open() }
        async let flooded = Self.flood(flooder, round, until: stop)
        try await Self.servedWhileHostile(harness, page: page, requests: 5, alsoOver: rpc)
        stop.open()
        // A send blocked on a server that reads no more of it (dropped) returns at once.
        flooder.shutdownWrite()
        let bytes = await flooded
        #expect(bytes >= round.count, "the flood went out")
        // Its messages are ignored: what it reads is pushes, never a JSON-RPC reply — until the
        // end of the stream if it was dropped for owing more pongs than its queue holds (1008).
        let replies = await offPool { () -> Int in
            var replies = 0
            while let message = flooder.readMessage() {
                let text = String(decoding: message.payload, as: UTF8.self)
                if text.contains(#""jsonrpc""#) { replies += 1 }
                if text.contains(#""type":"state""#) { break }
            }
            return replies
        }
        #expect(replies == 0, "a page's messages never reach the JSON-RPC endpoint")
        #expect(harness.app.dashboard.openPages >= 1)
        rpc.close()
        flooder.reset()
    }

    @Test func framesNoBrowserSendsCloseThatPageWithTheProtocolsCode() async throws {
        let harness = try await LassoHarness(providers: DashboardTests.providers, settings: Self.settings)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        try #require(await waitFor { harness.app.dashboard.openPages == 1 })

        let text = Array("x".utf8)
        let cases: [(what: String, bytes: [UInt8], code: UInt16)] = [
            ("an unmasked frame", [0x81, 0x01] + text, 1002),
            ("a reserved opcode", RawSocket.frame(opcode: 0x3, payload: text), 1002),
            ("reserved bits set", [0xC1] + Array(RawSocket.frame(opcode: 0x1, payload: text).dropFirst()), 1002),
            ("a continuation with no message", RawSocket.frame(opcode: 0x0, payload: text), 1002),
            ("a fragmented ping", RawSocket.frame(opcode: 0x9, payload: [], fin: false), 1002),
            ("text that is not UTF-8", RawSocket.frame(opcode: 0x1, payload: [0xC3, 0x28]), 1007),
            ("a frame announcing 2 MiB", [0x82, 0xFF, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4], 1009),
            ("a fragmented message past 1 MiB",
             RawSocket.frame(opcode: 0x2, payload: [UInt8](repeating: 7, count: 600 << 10), fin: false)
                + RawSocket.frame(opcode: 0x0, payload: [UInt8](repeating: 7, count: 600 << 10), fin: false), 1009),
            ("an HTTP request instead of frames", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 1002),
        ]
        for (what, bytes, code) in cases {
            let hostile = try #require(RawSocket(port: harness.app.port))
            #expect(hostile.upgrade(path: DashboardHub.webSocketPath), "\(what): upgraded")
            try #require(await waitFor { harness.app.dashboard.openPages == 2 }, "\(what): page counted")
            hostile.send(bytes)
            let closed = await offPool { hostile.readCloseCode() }
            #expect(closed == code, "\(what): closed with \(code)")
            #expect(await waitFor { harness.app.dashboard.openPages == 1 }, "\(what): page forgotten")
        }
        // A binary message is a well-formed one: ignored like text, the page stays.
        let binary = try #require(RawSocket(port: harness.app.port))
        #expect(binary.upgrade(path: DashboardHub.webSocketPath))
        binary.send(RawSocket.frame(opcode: 0x2, payload: [0, 1, 2, 255]))
        try await Self.servedWhileHostile(harness, page: page, requests: 2)
        #expect(harness.app.dashboard.openPages == 2)
        binary.reset()
    }

    @Test func aPageThatNeverReadsDoesNotSlowTheOthers() async throws {
        let harness = try await LassoHarness(providers: DashboardTests.providers, settings: Self.settings)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        // It upgrades, then never reads; its receive buffer is shrunk so the kernel absorbs little.
        let stalled = try #require(RawSocket(port: harness.app.port, receiveBuffer: 4_096))
        #expect(stalled.upgrade(path: DashboardHub.webSocketPath))
        try #require(await waitFor { harness.app.dashboard.openPages == 2 })
        // Twenty pushes' worth of changes: each one reaches the reading page while the stalled
        // page's share waits in its own queue (bounded by websocket_max_queued_bytes: past it
        // the page is dropped, 1008 — the kernel's buffers take megabytes first, so that is
        // not waited for here; WebSocketChannel.send enforces it for every client).
        try await Self.servedWhileHostile(harness, page: page, requests: 20)
        #expect(harness.app.dashboard.openPages == 2)
        stalled.reset()
    }

    @Test func aPageThatHalfClosesIsForgottenAndTheOthersKeepBeingServed() async throws {
        let harness = try await LassoHarness(providers: DashboardTests.providers, settings: Self.settings)
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        let halfClosed = try #require(RawSocket(port: harness.app.port))
        #expect(halfClosed.upgrade(path: DashboardHub.webSocketPath))
        try #require(await waitFor { harness.app.dashboard.openPages == 2 })
        // FIN without a close frame: lassod reads the end of the stream and closes its side.
        halfClosed.shutdownWrite()
        #expect(await waitFor { harness.app.dashboard.openPages == 1 }, "the half-closed page is forgotten")
        #expect(await offPool { halfClosed.waitForClose() }, "lassod closed its side too")
        try await Self.servedWhileHostile(harness, page: page, requests: 3)
    }
}
