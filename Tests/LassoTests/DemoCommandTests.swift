import Foundation
import Testing
import TestSupport
@testable import Lasso
import LassoSimulation
import LassoTransport

/// `lassod demo` without a config file: the embedded config, and the real binary run from an
/// empty directory, printing the dashboard's URL first.
@Suite(.serialized) struct DemoCommandTests {
    @Test func theDemoRunsItsEmbeddedConfigUnlessAConfigIsGiven() throws {
        #expect(try CommandLineOptions.parse(["demo"]).get().configGiven == false)
        #expect(try CommandLineOptions.parse(["demo", "--config", "config/chains.yml"]).get().configGiven == true)
        let config = try DemoConfig.load(environment: [:], temporaryDirectory: "/tmp/", processID: 42)
        #expect(config.chains.map(\.key) == ["ethereum", "base", "polygon", "arbitrum"])
        #expect(config.server.adminSocket == "/tmp/lassod-demo-42.sock")
        #expect(config.server.adminToken == nil)
        let withToken = try DemoConfig.load(environment: [DemoConfig.tokenVariable: "demo-token-0123456789"])
        #expect(withToken.server.adminToken == "demo-token-0123456789")
    }
}

extension DemoCommandTests {
    @Test func theBinaryRunsTheDemoFromAnEmptyDirectoryAndPrintsTheDashboardFirst() async throws {
        let binary = LassodProcessTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build lassod first: \(binary.path)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lassod-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = WebSocketChannelTests.closedPort()
        let process = Process()
        process.executableURL = binary
        process.arguments = ["demo", "--port", String(port)]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment[DemoConfig.tokenVariable] = nil
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        _ = LassodProcessTests.LineCollector(stdout)
        let banner = LassodProcessTests.LineCollector(stderr)
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        let url = "http://127.0.0.1:\(port)/"
        let printed = await waitFor(within: .seconds(30)) {
            banner.lines.contains { $0.contains("dashboard \(url)") }
        }
        guard printed else {
            process.terminate()
            Issue.record("no dashboard URL on stderr: \(banner.lines)")
            return
        }
        // The URL is the first line, and the page and its pushes are there.
        #expect(banner.lines.first?.contains("dashboard \(url) (read-only") == true)
        let page = try #require(await RawSocket.get(port: port, "/"))
        #expect(page.status == 200)
        #expect(page.text.contains("/dashboard/app.js"))
        let chains = try #require(await RawSocket.get(port: port, "/api/chains")).text
        for chain in ["ethereum", "base", "polygon", "arbitrum"] { #expect(chains.contains(#""chain":"\#(chain)""#)) }
        // Nothing was written to the working directory (the admin socket is in the temporary one).
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        process.terminate()
        var status2: Int32 = -1
        for await code in exited { status2 = code }
        #expect(status2 == 0)
    }
}
