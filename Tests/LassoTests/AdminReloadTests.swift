import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// Reloads not asked for over the socket (SIGHUP), and the log lines admin activity leaves.
struct AdminReloadTests {
    @Test func aSignalledReloadLogsWhatChanged() async {
        let sink = CapturingLogSink()
        let control = RecordingAdminControl()
        await AdminReload.perform(on: control, logger: Logger(minimumLevel: .info, sink: sink, wallClockMillis: { 0 }),
                                  trigger: "sighup")
        #expect(control.calls == ["reload"])
        #expect(sink.lines == [#"{"ts":"1970-01-01T00:00:00.000Z","level":"info","event":"config.reload","#
            + #""trigger":"sighup","ok":true,"added":"base","removed":"polygon","changed":"ethereum","unchanged":1}"#
            + "\n"])
    }

    @Test func aSignalledReloadOfABrokenFileLogsEveryProblemAtErrorLevel() async {
        let sink = CapturingLogSink()
        let control = RecordingAdminControl()
        control.failReload(with: .invalidConfig(["chains.base.chain_id: must be positive (line 4)", "chains: empty"]))
        await AdminReload.perform(on: control, logger: Logger(minimumLevel: .info, sink: sink, wallClockMillis: { 0 }),
                                  trigger: "sighup")
        #expect(sink.lines == [#"{"ts":"1970-01-01T00:00:00.000Z","level":"error","event":"config.reload","#
            + #""trigger":"sighup","ok":false,"error":"invalid configuration, nothing changed:\nchains.base.chain_id: "#
            + #"must be positive (line 4)\nchains: empty"}"# + "\n"])
    }

    @Test func everyCommandRunOverTheSocketIsLogged() async throws {
        let sink = CapturingLogSink()
        let loop = try EventLoop()
        defer { loop.stop() }
        let path = temporarySocketPath()
        let server = try AdminServer(loop: loop, path: path, control: RecordingAdminControl(),
                                     logger: Logger(minimumLevel: .info, sink: sink, wallClockMillis: { 0 }))
        defer { server.stop() }
        let client = try #require(RawSocket(unixSocket: path))
        client.send(#"{"cmd":"restart-chain","args":["ethereum"]}"# + "\n" + #"{"cmd":"nope"}"# + "\n")
        #expect(await client.readLine() != nil)
        #expect(await client.readLine() != nil)
        // Requests that never reach the control (malformed, unknown) are not logged as commands.
        #expect(sink.lines == [#"{"ts":"1970-01-01T00:00:00.000Z","level":"info","event":"admin.command","#
            + #""cmd":"restart-chain","args":"ethereum"}"# + "\n"])
    }
}
