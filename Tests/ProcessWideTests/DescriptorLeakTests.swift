import Foundation
import Testing
import TestSupport
import LassoTransport

/// What the transport opens is closed when its owner goes: counted over the whole process.
@Suite("Descriptor leaks")
struct DescriptorLeakTests {
    @Test func startAndStopLeaksNoFileDescriptors() throws {
        // Warm up once so lazily opened process-wide fds (OpenSSL, /dev/urandom) are counted.
        do { _ = try ServerFixture().stillServes() }
        let before = openFiles()
        for _ in 0..<100 {
            let loop = try EventLoop()
            loop.stop()
        }
        for _ in 0..<10 {
            let fixture = try ServerFixture()
            #expect(fixture.stillServes())
        }
        let after = openFiles()
        #expect(after.count == before.count,
                "new: \(after.filter { before[$0.key] != $0.value }), gone: \(before.filter { after[$0.key] != $0.value })")
    }

    @Test func aThousandResetsLeaveNoDescriptorBehind() async throws {
        let server = try #require(ScriptedServer { connection, _ in
            _ = connection.readHead()
            connection.reset()
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        let port = server.port
        let before = openFileCount()
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    do {
                        _ = try await client.post("http://127.0.0.1:\(port)/rpc", body: Array("{}".utf8), timeout: .seconds(5))
                        return false
                    } catch {
                        return true
                    }
                }
            }
            var failed = 0
            for await outcome in group where outcome { failed += 1 }
            #expect(failed == 1000)
        }
        server.stop()
        #expect(await waitFor(within: .seconds(5)) { openFileCount() <= before })
    }
}
