import Testing
import TestSupport
import LassoTransport

/// Memory that must be given back, measured as the process's resident set.
@Suite("Resident memory")
struct ResidentMemoryTests {
    /// Issue #9 item 8: the client kept the last 256 messages for a stream nobody read (200
    /// replies of ~530 KB took RSS from 34 to 147 MB). Now a message lives as long as its
    /// handler keeps it.
    @Test func aClientKeepsNoMessageItsOwnerDropped() throws {
        let count = 200
        let provider = try #require(ScriptedServer { connection, _ in
            guard connection.acceptWebSocket() else { return }
            let message = RawSocket.serverFrame(opcode: 0x1, payload: [UInt8](repeating: 0x61, count: 530_000))
            for _ in 0..<count { guard connection.send(message) else { return } }
            _ = connection.receive()
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        let before = residentBytes()
        let received = Recorder<Int>()
        let client = WebSocketClient(loop: loop, url: try #require(UpstreamURL("ws://127.0.0.1:\(provider.port)/"))) { event in
            if case .message(let message) = event { received.record(message.bytes.count) }
        }
        client.start()
        #expect(waitForBlocking { received.all.count == count })
        let grown = residentBytes() - before
        #expect(grown < 64 << 20, "RSS grew by \(grown >> 20) MiB for \(count) messages of 530 KB that nobody kept")
        client.close()
    }
}
