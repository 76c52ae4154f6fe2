import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// The admin socket over a real Unix socket, with a recording control behind it.
@Suite(.serialized)
struct AdminServerTests {
    /// A server on a fresh path with its own loop; `shutdown` stops both.
    struct Harness {
        let loop: EventLoop
        let control = RecordingAdminControl()
        let server: AdminServer
        let path: String

        init(path: String = temporarySocketPath()) throws {
            loop = try EventLoop()
            self.path = path
            server = try AdminServer(loop: loop, path: path, control: control)
        }

        func connect() throws -> RawSocket {
            try #require(RawSocket(unixSocket: path))
        }

        func shutdown() {
            server.stop()
            loop.stop()
            unlink(path)
        }
    }

    @Test func everyCommandReachesTheControlWithItsArgumentsAndRepliesWithItsResult() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let client = try harness.connect()
        let requests: [(String, String)] = [
            (#"{"cmd":"tree"}"#, try reply(AdminSamples.tree)),
            (#"{"cmd":"chains","args":[]}"#,
             #"{"ok":true,"result":[{"chain":"ethereum","chain_id":1,"name":"Ethereum Mainnet","providers":["ethereum_ankr","ethereum_llama"],"running":true},{"chain":"base","chain_id":8453,"name":"Base","providers":["base_public"],"running":false}]}"#),
            (#"{"cmd":"status","args":["ethereum"]}"#, try reply(AdminSamples.status)),
            (#"{"cmd":"restart-chain","args":["ethereum"]}"#, #"{"ok":true,"result":{"chain":"ethereum","running":true}}"#),
            (#"{"cmd":"stop-chain","args":["ethereum"]}"#, #"{"ok":true,"result":{"chain":"ethereum","running":false}}"#),
            (#"{"cmd":"start-chain","args":["ethereum"]}"#, #"{"ok":false,"error":"chain already running: ethereum"}"#),
            (#"{"cmd":"reload"}"#,
             #"{"ok":true,"result":{"added":["base"],"changed":["ethereum"],"removed":["polygon"],"unchanged":["arbitrum"]}}"#),
            (#"{"cmd":"kill","args":["Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool"]}"#,
             #"{"ok":true,"result":{"killed":"<0.42.0>","path":"Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool"}}"#),
            (#"{"cmd":"breaker","args":["ethereum","ethereum_ankr","ws","open"]}"#,
             #"{"ok":true,"result":{"chain":"ethereum","phase":"forced_open","provider":"ethereum_ankr","transport":"ws"}}"#),
            (#"{"cmd":"breaker","args":["ethereum","ethereum_ankr","http","reset"]}"#,
             #"{"ok":true,"result":{"chain":"ethereum","phase":"closed","provider":"ethereum_ankr","transport":"http"}}"#),
        ]
        for (request, expected) in requests {
            client.send(request + "\n")
            #expect(await client.readLine() == expected, "reply to \(request)")
        }
        #expect(harness.control.calls == [
            "tree", "chains", "status ethereum", "restart-chain ethereum", "stop-chain ethereum", "start-chain ethereum",
            "reload", "kill Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool",
            "breaker ethereum ethereum_ankr ws open", "breaker ethereum ethereum_ankr http reset",
        ])
    }

    @Test func errorsFromTheControlBecomeErrorRepliesWithTheirDescription() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let client = try harness.connect()
        let cases = [
            (#"{"cmd":"status","args":["solana"]}"#, #"{"ok":false,"error":"unknown chain: solana"}"#),
            (#"{"cmd":"restart-chain","args":["solana"]}"#, #"{"ok":false,"error":"unknown chain: solana"}"#),
            (#"{"cmd":"kill","args":["Nowhere/Pool"]}"#, #"{"ok":false,"error":"no process at Nowhere/Pool"}"#),
            (#"{"cmd":"breaker","args":["ethereum","ethereum_nope","http","close"]}"#,
             #"{"ok":false,"error":"unknown provider ethereum_nope on chain ethereum"}"#),
        ]
        for (request, expected) in cases {
            client.send(request + "\n")
            #expect(await client.readLine() == expected, "reply to \(request)")
        }
    }

    @Test func badRequestsGetPreciseErrorsAndTheConnectionStaysUsable() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let client = try harness.connect()
        let commands = "tree, chains, status CHAIN, restart-chain CHAIN, stop-chain CHAIN, start-chain CHAIN, reload, "
            + "kill PATH, breaker CHAIN PROVIDER http|ws open|close|reset"
        let shape = #"a request is one JSON object per line, e.g. {\"cmd\":\"status\",\"args\":[\"ethereum\"]}"#
        let cases = [
            ("tree", #"{"ok":false,"error":"malformed request: \#(shape)"}"#),
            (#"{"cmd":"tree""#, #"{"ok":false,"error":"malformed request: \#(shape)"}"#),
            (#"["tree"]"#, #"{"ok":false,"error":"malformed request: \#(shape)"}"#),
            (#"{"args":["ethereum"]}"#, #"{"ok":false,"error":"missing \"cmd\"; commands: \#(commands)"}"#),
            (#"{"cmd":7}"#, #"{"ok":false,"error":"\"cmd\" must be a string; commands: \#(commands)"}"#),
            (#"{"cmd":"explode"}"#, #"{"ok":false,"error":"unknown command \"explode\"; commands: \#(commands)"}"#),
            (#"{"cmd":"tree","arg":[]}"#, #"{"ok":false,"error":"unknown field \"arg\": \#(shape)"}"#),
            (#"{"cmd":"status"}"#, #"{"ok":false,"error":"status takes 1 argument, got 0; usage: status CHAIN"}"#),
            (#"{"cmd":"tree","args":["x"]}"#, #"{"ok":false,"error":"tree takes no arguments, got 1; usage: tree"}"#),
            (#"{"cmd":"status","args":[1]}"#, #"{"ok":false,"error":"\"args\" must be an array of strings; usage: status CHAIN"}"#),
            (#"{"cmd":"status","args":"ethereum"}"#,
             #"{"ok":false,"error":"\"args\" must be an array of strings; usage: status CHAIN"}"#),
            (#"{"cmd":"breaker","args":["ethereum","ethereum_ankr","grpc","open"]}"#,
             #"{"ok":false,"error":"transport must be http or ws, not \"grpc\"; usage: breaker CHAIN PROVIDER http|ws open|close|reset"}"#),
            (#"{"cmd":"breaker","args":["ethereum","ethereum_ankr","http","half"]}"#,
             #"{"ok":false,"error":"action must be open, close or reset, not \"half\"; usage: breaker CHAIN PROVIDER http|ws open|close|reset"}"#),
        ]
        for (request, expected) in cases {
            client.send(request + "\n")
            #expect(await client.readLine() == expected, "reply to \(request)")
        }
        // Blank lines are skipped, CRLF is accepted, and the connection still works.
        client.send("\n  \r\n" + #"{"cmd":"chains"}"# + "\r\n")
        #expect(await client.readLine()?.hasPrefix(#"{"ok":true,"result":[{"chain":"ethereum""#) == true)
        #expect(!harness.control.calls.contains { $0.hasPrefix("breaker") || $0.hasPrefix("status") })
    }

    @Test func anOversizedLineIsAnsweredWithAnErrorAfterEarlierRepliesThenClosed() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let client = try harness.connect()
        client.send(#"{"cmd":"chains"}"# + "\n" + String(repeating: "x", count: AdminRequest.maxLineBytes + 1))
        #expect(await client.readLine()?.hasPrefix(#"{"ok":true,"result":[{"chain":"ethereum""#) == true)
        #expect(await client.readLine()
                == #"{"ok":false,"error":"request line longer than 65536 bytes; closing the connection"}"#)
        #expect(await client.waitForClose())
        // A line of exactly the limit is still read (and answered as malformed).
        let other = try harness.connect()
        other.send(String(repeating: " ", count: AdminRequest.maxLineBytes - 2) + "{}\n")
        #expect(await other.readLine()?.hasPrefix(#"{"ok":false,"error":"missing \"cmd\""#) == true)
    }

    @Test func aClientThatQueuesTooManyRequestsIsAnsweredInOrderThenCutOff() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        harness.control.holdReload()
        let client = try harness.connect()
        let chains = #"{"cmd":"chains"}"# + "\n"
        // While the reload runs, 64 requests may wait; the 65th gets the refusal, in its turn.
        client.send(#"{"cmd":"reload"}"# + "\n" + String(repeating: chains, count: LineServer.Configuration().maxQueuedLines + 1))
        #expect(await waitFor { harness.control.calls.contains("reload") })
        #expect(await waitFor { client.unreadByPeer == 0 }, "the server has read every request sent")
        harness.control.releaseReload()
        #expect(await client.readLine()?.hasPrefix(#"{"ok":true,"result":{"added""#) == true)
        for _ in 0..<LineServer.Configuration().maxQueuedLines {
            #expect(await client.readLine()?.hasPrefix(#"{"ok":true,"result":[{"chain""#) == true)
        }
        #expect(await client.readLine()
                == #"{"ok":false,"error":"more than 64 requests waiting for replies; closing the connection"}"#)
        #expect(await client.waitForClose())
        #expect(harness.control.calls.filter { $0 == "chains" }.count == LineServer.Configuration().maxQueuedLines)
    }

    @Test func theSocketFileHasMode0600() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        var info = stat()
        #expect(lstat(harness.path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func aStaleSocketFileIsReplaced() async throws {
        let path = temporarySocketPath()
        makeStaleSocket(at: path)
        #expect(AdminSocketFile(path: path).identity() != nil)
        #expect(RawSocket(unixSocket: path) == nil, "nothing listens on a stale socket")
        let harness = try Harness(path: path)
        defer { harness.shutdown() }
        let client = try harness.connect()
        client.send(#"{"cmd":"tree"}"# + "\n")
        #expect(await client.readLine()?.hasPrefix(#"{"ok":true,"result":{"children":"#) == true)
    }

    @Test func aLiveSocketIsRefusedWithAnErrorNamingThePath() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let loop = try EventLoop()
        defer { loop.stop() }
        #expect(throws: AdminServerError.alreadyInUse(path: harness.path)) {
            try AdminServer(loop: loop, path: harness.path, control: RecordingAdminControl())
        }
        #expect(AdminServerError.alreadyInUse(path: harness.path).description.contains(harness.path))
        // The first server still owns its socket and answers.
        let client = try harness.connect()
        client.send(#"{"cmd":"chains"}"# + "\n")
        #expect(await client.readLine()?.hasPrefix(#"{"ok":true"#) == true)
    }

    @Test func aPathThatIsNotASocketIsLeftAlone() throws {
        let path = temporarySocketPath()
        defer { unlink(path) }
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        let loop = try EventLoop()
        defer { loop.stop() }
        #expect(throws: AdminServerError.notASocket(path: path)) {
            try AdminServer(loop: loop, path: path, control: RecordingAdminControl())
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
        #expect(throws: AdminServerError.invalidPath(path: "@abstract", reason:
            "abstract sockets (@…) have no file permissions; use a filesystem path")) {
            try AdminServer(loop: loop, path: "@abstract", control: RecordingAdminControl())
        }
        #expect(throws: AdminServerError.bindFailed(path: "/nonexistent-dir/lassod.sock",
                                                    reason: "directory /nonexistent-dir does not exist")) {
            try AdminServer(loop: loop, path: "/nonexistent-dir/lassod.sock", control: RecordingAdminControl())
        }
    }

    @Test func stoppingClosesConnectionsAndRemovesTheSocketFile() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let client = try harness.connect()
        client.send(#"{"cmd":"tree"}"# + "\n")
        #expect(await client.readLine() != nil)
        harness.server.stop()
        #expect(access(harness.path, F_OK) != 0 && errno == ENOENT)
        #expect(await client.waitForClose())
        // The path is free again: a new server binds it and serves.
        let again = try AdminServer(loop: harness.loop, path: harness.path, control: harness.control)
        defer { again.stop() }
        let second = try harness.connect()
        second.send(#"{"cmd":"chains"}"# + "\n")
        #expect(await second.readLine()?.hasPrefix(#"{"ok":true"#) == true)
    }

    @Test func aSlowCommandHoldsUpNeitherOtherConnectionsNorTheOrderOfItsOwnReplies() async throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        harness.control.holdReload()
        let slow = try harness.connect()
        slow.send(#"{"cmd":"reload"}"# + "\n" + #"{"cmd":"chains"}"# + "\n")
        #expect(await waitFor { harness.control.calls.contains("reload") })

        let other = try harness.connect()
        other.send(#"{"cmd":"tree"}"# + "\n")
        #expect(await other.readLine()?.hasPrefix(#"{"ok":true,"result":{"children":"#) == true)
        other.send(#"{"cmd":"status","args":["ethereum"]}"# + "\n")
        #expect(await other.readLine()?.hasPrefix(#"{"ok":true,"result":{"best_head":100"#) == true)
        #expect(slow.nothingPending())
        #expect(!harness.control.calls.contains("chains"))

        harness.control.releaseReload()
        #expect(await slow.readLine()?.hasPrefix(#"{"ok":true,"result":{"added":["base"]"#) == true)
        #expect(await slow.readLine()?.hasPrefix(#"{"ok":true,"result":[{"chain":"ethereum""#) == true)
    }

    private func reply<T: Encodable>(_ result: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return #"{"ok":true,"result":"# + String(decoding: try encoder.encode(result), as: UTF8.self) + "}"
    }
}
