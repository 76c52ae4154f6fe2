import Foundation
import Testing
@testable import Lasso
import LassoTransport

/// `lassod ctl` end to end over a real socket (exit codes, stdout/stderr), and the renderer.
@Suite(.serialized)
struct AdminCtlTests {
    private func withServer(_ body: (String, AdminClient) async throws -> Void) async throws {
        let loop = try EventLoop()
        let path = temporarySocketPath()
        let server = try AdminServer(loop: loop, path: path, control: RecordingAdminControl())
        defer {
            server.stop()
            loop.stop()
        }
        try await body(path, AdminClient(loop: loop))
    }

    @Test func anOkReplyExitsZeroAndDrawsTheTreeWithoutColourWhenNotATerminal() async throws {
        try await withServer { path, client in
            let outcome = await AdminCtl.run(command: "tree", arguments: [], socketPath: path, json: false, color: false,
                                             client: client)
            #expect(outcome.exitCode == 0)
            #expect(outcome.errorOutput == "")
            #expect(outcome.output == AdminRendererTests.expectedTree + "\n")
            #expect(!outcome.output.contains("\u{1B}"))
        }
    }

    @Test func anErrorReplyExitsOneWithTheMessageOnStderr() async throws {
        try await withServer { path, client in
            let outcome = await AdminCtl.run(command: "status", arguments: ["solana"], socketPath: path, json: false,
                                             color: false, client: client)
            #expect(outcome == AdminCtl.Outcome(exitCode: 1, output: "", errorOutput: "lassod ctl: unknown chain: solana\n"))
            let usage = await AdminCtl.run(command: "status", arguments: [], socketPath: path, json: false, color: false,
                                           client: client)
            #expect(usage.exitCode == 1)
            #expect(usage.errorOutput == "lassod ctl: status takes 1 argument, got 0; usage: status CHAIN\n")
        }
    }

    @Test func jsonPrintsTheRawReplyLineWhateverTheOutcome() async throws {
        try await withServer { path, client in
            let ok = await AdminCtl.run(command: "restart-chain", arguments: ["ethereum"], socketPath: path, json: true,
                                        color: true, client: client)
            #expect(ok == AdminCtl.Outcome(exitCode: 0, output: #"{"ok":true,"result":{"chain":"ethereum","running":true}}"# + "\n",
                                           errorOutput: ""))
            let failed = await AdminCtl.run(command: "kill", arguments: ["Nowhere"], socketPath: path, json: true,
                                            color: false, client: client)
            #expect(failed == AdminCtl.Outcome(exitCode: 1, output: #"{"ok":false,"error":"no process at Nowhere"}"# + "\n",
                                               errorOutput: ""))
        }
    }

    @Test func anUnreachableSocketExitsTwoWithAMessageNamingThePath() async throws {
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = AdminClient(loop: loop)
        let missing = temporarySocketPath()
        let absent = await AdminCtl.run(command: "tree", arguments: [], socketPath: missing, json: false, color: false,
                                        client: client)
        #expect(absent == AdminCtl.Outcome(exitCode: 2, output: "", errorOutput:
            "lassod ctl: cannot reach lassod at \(missing): no such socket file (is lassod running?)\n"))

        let stale = temporarySocketPath()
        makeStaleSocket(at: stale)
        defer { unlink(stale) }
        let refused = await AdminCtl.run(command: "tree", arguments: [], socketPath: stale, json: true, color: false,
                                         client: client)
        #expect(refused.exitCode == 2)
        #expect(refused.output == "")
        #expect(refused.errorOutput.contains("cannot reach lassod at \(stale): connection refused"))
    }

    @Test func aDaemonThatNeverAnswersTimesOutWithExitOne() async throws {
        let loop = try EventLoop()
        defer { loop.stop() }
        let control = RecordingAdminControl()
        control.holdReload()
        defer { control.releaseReload() }
        let path = temporarySocketPath()
        let server = try AdminServer(loop: loop, path: path, control: control)
        defer { server.stop() }
        let outcome = await AdminCtl.run(command: "reload", arguments: [], socketPath: path, json: false, color: false,
                                         client: AdminClient(loop: loop), timeout: .milliseconds(300))
        #expect(outcome == AdminCtl.Outcome(exitCode: 1, output: "", errorOutput:
            "lassod ctl: no reply from lassod at \(path) within 0.3 s\n"))
        // ctl outwaits lassod's own limit on a change, so the operator reads lassod's answer.
        for change in ["reload", "start-chain", "stop-chain", "restart-chain"] {
            #expect(AdminCtl.timeout(for: change) > AdminCommand.changeTimeout)
        }
        #expect(AdminCtl.timeout(for: "tree") == .seconds(10))
    }
}

/// What `lassod ctl` prints for each result, checked character for character.
struct AdminRendererTests {
    static let expectedTree = """
        NAME                               PID      KIND                    STATUS      RESTARTS  UPTIME
        Application                        <0.1.0>  supervisor one_for_one  running     0         1h02m
        ├── BenchmarkStore                 <0.2.0>  worker                  running     0         1h02m
        ├── ChainsSupervisor               <0.3.0>  supervisor dynamic      running     0         1h02m
        │   └── ChainSupervisor(ethereum)  <0.4.0>  supervisor one_for_one  restarting  2         45s
        │       └── ProviderPool           -        worker                  stopped     0         -
        └── Endpoint                       <0.6.0>  worker                  running     0         59s
        """

    private func render(_ command: String, _ value: some Encodable, color: Bool = false) throws -> String {
        AdminRenderer.render(command: command, result: try JSONEncoder().encode(value), color: color)
    }

    @Test func theTreeIsDrawnWithBoxDrawingCharactersInAlignedColumns() throws {
        #expect(try render("tree", AdminSamples.tree) == Self.expectedTree)
    }

    @Test func coloursMarkStatusesOnlyWhenAskedAndKeepTheColumnsAligned() throws {
        let coloured = try render("tree", AdminSamples.tree, color: true)
        let lines = coloured.split(separator: "\n").map(String.init)
        #expect(lines[1].contains("\u{1B}[32mrunning\u{1B}[0m     0"))
        #expect(lines[4].contains("\u{1B}[33mrestarting\u{1B}[0m  2"))
        #expect(lines[5].contains("\u{1B}[31mstopped\u{1B}[0m     0"))
        let stripped = coloured.replacingOccurrences(of: "\u{1B}[32m", with: "").replacingOccurrences(of: "\u{1B}[33m", with: "")
            .replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
        #expect(stripped == Self.expectedTree)
    }

    @Test func chainsAndStatusAreAlignedTables() throws {
        #expect(try render("chains", AdminSamples.chains) == """
            CHAIN     CHAIN ID  NAME              RUNNING  PROVIDERS
            ethereum  1         Ethereum Mainnet  yes      ethereum_ankr, ethereum_llama
            base      8453      Base              no       base_public
            """)
        #expect(try render("status", AdminSamples.status) == """
            ethereum (chain id 1): running, best head 100
            PROVIDER        AVAILABILITY  HEAD  LAG  HTTP       WS    SCORE  SUCCESS  P50 MS  FAILURES
            ethereum_ankr   up            100   0    closed     open  12.50  99.50%   41.25   0
            ethereum_llama  lagging       97    3    half_open  -     -      -        -       1
            """)
    }

    @Test func otherCommandsGetAOneLineConfirmation() throws {
        #expect(try render("restart-chain", AdminChainState(chain: "ethereum", running: true))
                == "restarted chain ethereum (running)")
        #expect(try render("stop-chain", AdminChainState(chain: "base", running: false)) == "stopped chain base (stopped)")
        #expect(try render("reload", AdminSamples.diff)
                == "reloaded: added base; removed polygon; restarted ethereum (1 unchanged)")
        #expect(try render("kill", AdminKillResult(path: "Application/BenchmarkStore", killed: AdminSamples.pid(42)))
                == "killed <0.42.0> at Application/BenchmarkStore; its supervisor restarts it")
        #expect(try render("breaker", BreakerState(chain: "ethereum", provider: "ethereum_ankr", transport: .ws,
                                                         phase: .forcedOpen))
                == "breaker ethereum/ethereum_ankr/ws is now forced_open")
        // A result the client does not know how to draw is shown as JSON.
        #expect(try render("future-command", ["a": 1]) == #"{"a":1}"#)
    }

    @Test func uptimesReadAsTheLargestTwoUnits() {
        #expect(AdminRenderer.duration(nil) == "-")
        #expect(AdminRenderer.duration(0.4) == "0s")
        #expect(AdminRenderer.duration(59.9) == "59s")
        #expect(AdminRenderer.duration(725) == "12m05s")
        #expect(AdminRenderer.duration(3 * 3600 + 4 * 60 + 7) == "3h04m")
        #expect(AdminRenderer.duration(2 * 86_400 + 3 * 3600) == "2d03h")
        #expect(AdminRenderer.duration(.infinity) == "-")
    }
}
