import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import TestSupport

/// The real `lassod` binary, spawned next to the test bundle, in front of in-test simulated
/// providers: SIGTERM drains it (requests in flight get their results), then it exits 0.
@Suite(.serialized) struct LassodProcessTests {
    static var binary: URL { LassodBinary.url }

    /// Lines a child process writes to a pipe, collected as they arrive.
    final class LineCollector: @unchecked Sendable {
        // @unchecked: `text` is only touched under `lock`.
        private let lock = NSLock()
        private var text = ""

        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.lock()
                text += String(decoding: data, as: UTF8.self)
                lock.unlock()
            }
        }

        var lines: [String] {
            lock.lock()
            defer { lock.unlock() }
            return text.split(separator: "\n").map(String.init)
        }
    }

    @Test func sigtermDrainsRequestsInFlightAndExitsZero() async throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build lassod first: \(binary.path)")
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000)
        let alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lassod-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = WebSocketChannelTests.closedPort()
        let configPath = directory.appendingPathComponent("chains.yml")
        try """
            server: {host: 127.0.0.1, port: \(port), admin_socket: "\(directory.path)/lassod.sock"}
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "http://127.0.0.1:\(alpha.port)/v2/SECRETKEY"}
            """.write(to: configPath, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["--config", configPath.path]
        process.currentDirectoryURL = directory
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let output = LineCollector(stdout)
        _ = LineCollector(stderr)
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()

        let started = await waitFor(within: .seconds(20)) {
            output.lines.contains { $0.contains(#""event":"lassod.started""#) }
        }
        guard started else {
            process.terminate()
            Issue.record("lassod did not log lassod.started: \(output.lines)")
            return
        }
        alpha.provider.behavior = .slow(latencyMs: 1_000)
        let requests = Task {
            await withTaskGroup(of: String.self) { group in
                for id in 1...3 {
                    group.addTask {
                        let reply = try? await client.post("http://127.0.0.1:\(port)/rpc/ethereum",
                                                           body: Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#.utf8))
                        return reply.map { String(decoding: $0.body, as: UTF8.self) } ?? "failed"
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await waitFor { (alpha.provider.requestCounts["eth_chainId"] ?? 0) == 3 })
        kill(process.processIdentifier, SIGTERM)

        let replies = await requests.value
        #expect(Set(replies) == Set((1...3).map { #"{"jsonrpc":"2.0","id":\#($0),"result":"0x1"}"# }))
        var status: Int32?
        for await code in exited { status = code }
        #expect(status == 0)
        #expect(process.terminationReason == .exit)
        // The exit can be reported before the pipe's reader has the last lines: wait for the last.
        let stopped = await waitFor { output.lines.contains { $0.contains(#""event":"lassod.stopped""#) } }
        #expect(stopped)
        let lines = output.lines
        #expect(lines.filter { $0.contains(#""event":"rpc.request.completed""#) }.count == 3)
        #expect(!lines.joined().contains("SECRETKEY"))
        alpha.stop()
        loop.stop()
    }

    @Test func anAdminSocketPathNoSocketCanHaveExitsTwoBeforeAnythingStarts() async throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build lassod first: \(binary.path)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lassod-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("chains.yml")
        try """
            server: {host: 127.0.0.1, port: \(WebSocketChannelTests.closedPort()), admin_socket: "\(directory.path)/\(String(repeating: "s", count: 120)).sock"}
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "http://127.0.0.1:1/v2/SECRETKEY"}
            """.write(to: configPath, atomically: true, encoding: .utf8)
        // Serving and check-config alike: 2 (invalid config, which systemd does not restart
        // on), naming the key and its line, and nothing logged because nothing started.
        for arguments in [["--config", configPath.path], ["check-config", configPath.path]] {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.currentDirectoryURL = directory
            let stdout = Pipe(), stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            let output = LineCollector(stdout), errors = LineCollector(stderr)
            let exited = AsyncStream<Int32> { continuation in
                process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
            }
            try process.run()
            var status: Int32?
            for await code in exited { status = code }
            #expect(status == 2, "\(arguments)")
            #expect(await waitFor { errors.lines.contains { $0.contains("server.admin_socket: longer than") } },
                    "\(errors.lines)")
            #expect(!output.lines.contains { $0.contains("lassod.started") })
        }
    }
}
