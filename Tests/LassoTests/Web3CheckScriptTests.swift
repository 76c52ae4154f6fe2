import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import TestSupport

/// `scripts/web3-check.py` run as a Python application would run it: web3.py over HTTP and
/// WebSocket against lassod in front of simulated providers. Skipped where web3.py is not
/// installed (`pip install web3`).
@Suite(.serialized) struct Web3CheckScriptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/web3-check.py")

    /// Whether `python3 -c "import web3"` succeeds here (asked off the cooperative pool: the
    /// import takes a while, and other suites run beside this one).
    static func web3Installed() async -> Bool {
        await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", "import web3"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }

    @Test(.enabled("web3.py is not installed") { await web3Installed() })
    func theScriptFollowsNewHeadsThroughLassod() async throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                block_time_ms: 200
                providers: [{id: a, url: "https://a.example", ws_url: "wss://a.example"}]
            """, environment: [:])
        let demo = try await LassoDemo.start(config: config, sink: CapturingLogSink(), port: 0)
        let (status, lines) = try await Self.run(["http://127.0.0.1:\(demo.application.port)/rpc/ethereum", "--ws-blocks", "5"])
        await demo.stop()
        #expect(status == 0, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("subscribed 0x") })
        #expect(lines.contains { $0.hasPrefix("ok   newHeads: 5 blocks in order, linked, no duplicates") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
    }

    @Test(.enabled("web3.py is not installed") { await web3Installed() })
    func web3FollowsNewHeadsAcrossAProviderKillWithoutAGap() async throws {
        let stack = try await GapFillingEndToEndTests.Stack()
        let alpha = stack.alpha
        // The provider carrying the subscription dies (no close frame) once the script is subscribed.
        let (status, lines) = try await Self.run(["http://127.0.0.1:\(stack.app.port)/rpc/ethereum", "--ws-blocks", "20"]) { line in
            if line.hasPrefix("subscribed 0x") { alpha.provider.behavior = .killed }
        }
        #expect(status == 0, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("ok   newHeads: 20 blocks in order, linked, no duplicates") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("FAIL") })
        // The script's exit closes its socket; lassod then unsubscribes upstream, on its own time.
        let unsubscribed = await waitFor { stack.beta.subscriptionCount == 0 }
        #expect(unsubscribed, "unsubscribed from beta at the end, where it had moved")
        #expect(stack.logged("subscription.failover.completed").first?["to"] as? String == "beta")
        await stack.shutdown()
    }

    /// Runs the script to its end: its exit status and its output lines; `onLine` sees each
    /// line as it is printed.
    private static func run(_ arguments: [String], onLine: @escaping @Sendable (String) -> Void = { _ in })
        async throws -> (Int32, [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        // Read to the end off the cooperative pool (a detached task would block one of its
        // threads): the pipe ends when the script exits, which its own deadline bounds (60 s +
        // 15 s per block).
        let text = await offPool { () -> String in
            var data = Data()
            var seen = 0
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                let complete = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                for line in complete.dropLast().dropFirst(seen) { onLine(String(line)) }
                seen = max(seen, complete.count - 1)
            }
            return String(decoding: data, as: UTF8.self)
        }
        var status: Int32 = -1
        for await code in exited { status = code }
        return (status, text.split(separator: "\n").map(String.init))
    }
}
