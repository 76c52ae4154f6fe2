import Foundation
import Testing
import TestSupport

/// Golden traces for `supervision-trace`: each expected output is what Erlang/OTP 25 prints for
/// the same tree, run by `scripts/supervision-trace-otp.escript` on real `supervisor` and
/// `gen_server` processes (see docs/supervision.md for the mapping). The goldens need no Erlang;
/// where `escript` is installed, each scenario is also run there and compared.
@Suite struct SupervisionTraceTests {
    /// The built `supervision-trace` beside this test bundle.
    private func traceBinary() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("supervision-trace")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw TestFailure(message: "supervision-trace is not built next to the tests (run swift build first)")
    }

    /// The OTP harness, when `escript` is installed.
    private static let otpHarness: (escript: URL, script: URL)? = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/supervision-trace-otp.escript")
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard FileManager.default.isReadableFile(atPath: script.path),
              let escript = path.split(separator: ":").map({ URL(fileURLWithPath: "\($0)/escript") })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else { return nil }
        return (escript, script)
    }()

    /// Runs `scenario` through the trace tool and checks it prints `expected`, line for line; and,
    /// where Erlang is installed, that OTP prints the same.
    private func expectTrace(_ scenario: String, _ expected: [String]) async throws {
        #expect(try await run(scenario) == expected)
        if let otp = Self.otpHarness {
            #expect(try await run(scenario, executable: otp.escript, arguments: [otp.script.path]) == expected)
        }
    }

    private func run(_ scenario: String, executable: URL? = nil, arguments: [String] = []) async throws -> [String] {
        let executable = try executable ?? traceBinary()
        let (status, data) = try await Self.spawn(executable, arguments, input: scenario, capturing: .output)
        #expect(status == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private enum Stream { case output, errors }

    /// Runs `executable` with `input` on its stdin to its end: its exit status and what it wrote to
    /// `stream` (the other one goes to the test's output, or nowhere for a rejection). Off the
    /// cooperative pool: it waits for a child process while the other suites run.
    private static func spawn(_ executable: URL, _ arguments: [String], input: String,
                              capturing stream: Stream) async throws -> (Int32, Data) {
        try await offPool {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let stdin = Pipe(), captured = Pipe()
            process.standardInput = stdin
            switch stream {
            case .output: process.standardOutput = captured
            case .errors:
                process.standardError = captured
                process.standardOutput = FileHandle.nullDevice
            }
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let data = captured.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, data)
        }
    }

    @Test func theIssueScenarioMatchesOTP() async throws {
        try await expectTrace("""
            {"strategy":"one_for_all","intensity":3,"period_ms":5000,
             "children":[{"id":"a","restart":"permanent"},{"id":"b","restart":"transient"},{"id":"c","restart":"temporary"}],
             "steps":[{"crash":"b"},{"exit_normal":"a"},{"advance_ms":6000},{"terminate_child":"a"},{"restart_child":"a"},
                      {"delete_child":"a"},{"start_child":{"id":"d","restart":"permanent"}},{"which_children":true}]}
            """, [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#, #"{"ev":"start","id":"c"}"#,
            // b crashed: c (temporary) and a are stopped newest first; c is dropped, a and b restart.
            #"{"ev":"exit","id":"b","reason":"crash"}"#, #"{"ev":"stop","id":"c"}"#, #"{"ev":"stop","id":"a"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#,
            // A permanent child is restarted even after a normal exit, and takes b with it.
            #"{"ev":"exit","id":"a","reason":"normal"}"#, #"{"ev":"stop","id":"b"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#,
            #"{"ev":"stop","id":"a"}"#, #"{"ev":"reply","step":"terminate_child","result":"ok"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"reply","step":"restart_child","result":"ok"}"#,
            #"{"ev":"reply","step":"delete_child","result":"running"}"#,
            #"{"ev":"start","id":"d"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"children","ids":["a","b","d"],"running":["a","b","d"]}"#,
        ])
    }

    @Test func exceedingIntensityStopsTheRestNewestFirstAndEnds() async throws {
        try await expectTrace("""
            {"strategy":"one_for_one","intensity":1,"period_ms":5000,
             "children":[{"id":"a"},{"id":"b"},{"id":"c"}],
             "steps":[{"crash":"b"},{"crash":"b"},{"which_children":true}]}
            """, [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#, #"{"ev":"start","id":"c"}"#,
            #"{"ev":"exit","id":"b","reason":"crash"}"#, #"{"ev":"start","id":"b"}"#,
            #"{"ev":"exit","id":"b","reason":"crash"}"#, #"{"ev":"stop","id":"c"}"#, #"{"ev":"stop","id":"a"}"#,
            #"{"ev":"supervisor_exit","reason":"shutdown"}"#,
        ])
    }

    @Test func restForOneAndTheRemainingAPIAnswers() async throws {
        try await expectTrace("""
            {"strategy":"rest_for_one","intensity":3,"period_ms":5000,
             "children":[{"id":"a"},{"id":"b","restart":"transient"},{"id":"c"}],
             "steps":[{"exit_normal":"b"},{"crash":"b"},{"restart_child":"b"},{"start_child":{"id":"a"}},
                      {"start_child":{"id":"b"}},{"crash":"a"},{"terminate_child":"x"},{"delete_child":"b"},
                      {"terminate_child":"c"},{"delete_child":"c"},{"which_children":true}]}
            """, [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#, #"{"ev":"start","id":"c"}"#,
            // A transient child's normal exit restarts nothing; a crash of a stopped child is ignored.
            #"{"ev":"exit","id":"b","reason":"normal"}"#,
            #"{"ev":"start","id":"b"}"#, #"{"ev":"reply","step":"restart_child","result":"ok"}"#,
            #"{"ev":"reply","step":"start_child","result":"already_started"}"#,
            #"{"ev":"reply","step":"start_child","result":"already_started"}"#,
            // a is first: rest_for_one restarts everything after it too.
            #"{"ev":"exit","id":"a","reason":"crash"}"#, #"{"ev":"stop","id":"c"}"#, #"{"ev":"stop","id":"b"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#, #"{"ev":"start","id":"c"}"#,
            #"{"ev":"reply","step":"terminate_child","result":"not_found"}"#,
            #"{"ev":"reply","step":"delete_child","result":"running"}"#,
            #"{"ev":"stop","id":"c"}"#, #"{"ev":"reply","step":"terminate_child","result":"ok"}"#,
            #"{"ev":"reply","step":"delete_child","result":"ok"}"#,
            #"{"ev":"children","ids":["a","b"],"running":["a","b"]}"#,
        ])
    }

    // MARK: - Whole trees

    @Test func theIssueTreeWithASupervisorAndADynamicSupervisorMatchesOTP() async throws {
        try await expectTrace("""
            {"strategy":"one_for_one","intensity":1,"period_ms":5000,
             "children":[{"id":"a"},
                         {"id":"s","type":"supervisor","strategy":"one_for_all","intensity":2,"period_ms":1000,
                          "children":[{"id":"x"},{"id":"y","restart":"transient"}]},
                         {"id":"d","type":"dynamic","worker_restart":"transient"}],
             "steps":[{"crash":"s/x"},{"start_child":{"id":"d/w1"}},{"start_child":{"id":"d/w2"}},{"crash":"d/w1"},
                      {"exit_normal":"d/w2"},{"crash":"s/y"},{"crash":"s/x"},{"crash":"s/x"},{"which_children":"s"}]}
            """, [
            // A supervisor prints its start before its children start (OTP runs its init/1 first).
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#,
            #"{"ev":"start","id":"s/y"}"#, #"{"ev":"start","id":"d"}"#,
            // s's first restart (one_for_all: y goes too).
            #"{"ev":"exit","id":"s/x","reason":"crash"}"#, #"{"ev":"stop","id":"s/y"}"#,
            #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/y"}"#,
            #"{"ev":"start","id":"d/w1"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"start","id":"d/w2"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            // Transient workers: a crash restarts, a normal exit removes.
            #"{"ev":"exit","id":"d/w1","reason":"crash"}"#, #"{"ev":"start","id":"d/w1"}"#,
            #"{"ev":"exit","id":"d/w2","reason":"normal"}"#,
            // s's second restart is still within 2 in 1 s.
            #"{"ev":"exit","id":"s/y","reason":"crash"}"#, #"{"ev":"stop","id":"s/x"}"#,
            #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/y"}"#,
            // The third exceeds it: s stops y and exits with shutdown; the root restarts it (its
            // first restart, within 1 in 5 s), and s starts afresh with its own window.
            #"{"ev":"exit","id":"s/x","reason":"crash"}"#, #"{"ev":"stop","id":"s/y"}"#,
            #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/y"}"#,
            #"{"ev":"exit","id":"s/x","reason":"crash"}"#, #"{"ev":"stop","id":"s/y"}"#,
            #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/y"}"#,
            #"{"ev":"children","id":"s","ids":["x","y"],"running":["x","y"]}"#,
        ])
    }

    @Test func nestedEscalationReachesTheRoot() async throws {
        try await expectTrace("""
            {"strategy":"one_for_one","intensity":1,"period_ms":5000,
             "children":[{"id":"a"},
                         {"id":"s","type":"supervisor","strategy":"one_for_one","intensity":1,"period_ms":5000,
                          "children":[{"id":"x"},
                                      {"id":"t","type":"supervisor","strategy":"one_for_all","intensity":0,"period_ms":5000,
                                       "children":[{"id":"p"},{"id":"q"}]},
                                      {"id":"y"}]},
                         {"id":"b"}],
             "steps":[{"crash":"s/t/p"},{"which_children":"s"},{"crash":"s/t/q"},{"which_children":"s/t"},
                      {"crash":"s/x"},{"crash":"s/t/p"},{"which_children":true},{"crash":"b"},{"which_children":true}]}
            """, [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#,
            #"{"ev":"start","id":"s/t"}"#, #"{"ev":"start","id":"s/t/p"}"#, #"{"ev":"start","id":"s/t/q"}"#,
            #"{"ev":"start","id":"s/y"}"#, #"{"ev":"start","id":"b"}"#,
            // t (intensity 0) gives up at once; s restarts it: s's first restart.
            #"{"ev":"exit","id":"s/t/p","reason":"crash"}"#, #"{"ev":"stop","id":"s/t/q"}"#,
            #"{"ev":"start","id":"s/t"}"#, #"{"ev":"start","id":"s/t/p"}"#, #"{"ev":"start","id":"s/t/q"}"#,
            #"{"ev":"children","id":"s","ids":["x","t","y"],"running":["x","t","y"]}"#,
            // Again: s's second restart exceeds 1 in 5 s, so s stops the rest newest first and the
            // root restarts s (the root's first restart).
            #"{"ev":"exit","id":"s/t/q","reason":"crash"}"#, #"{"ev":"stop","id":"s/t/p"}"#,
            #"{"ev":"stop","id":"s/y"}"#, #"{"ev":"stop","id":"s/x"}"#,
            #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/t"}"#,
            #"{"ev":"start","id":"s/t/p"}"#, #"{"ev":"start","id":"s/t/q"}"#, #"{"ev":"start","id":"s/y"}"#,
            #"{"ev":"children","id":"s/t","ids":["p","q"],"running":["p","q"]}"#,
            // The new s counts afresh: one restart of x is fine …
            #"{"ev":"exit","id":"s/x","reason":"crash"}"#, #"{"ev":"start","id":"s/x"}"#,
            // … then t gives up, s gives up (its second), and the root's second restart exceeds
            // its own intensity: it stops b and a and exits. No further step runs.
            #"{"ev":"exit","id":"s/t/p","reason":"crash"}"#, #"{"ev":"stop","id":"s/t/q"}"#,
            #"{"ev":"stop","id":"s/y"}"#, #"{"ev":"stop","id":"s/x"}"#,
            #"{"ev":"stop","id":"b"}"#, #"{"ev":"stop","id":"a"}"#,
            #"{"ev":"supervisor_exit","reason":"shutdown"}"#,
        ])
    }

    @Test func restForOneWithSupervisorChildren() async throws {
        try await expectTrace("""
            {"strategy":"rest_for_one","intensity":5,"period_ms":5000,
             "children":[{"id":"a"},
                         {"id":"s","type":"supervisor","strategy":"one_for_one","intensity":0,"period_ms":5000,
                          "children":[{"id":"x"},{"id":"y","restart":"transient"}]},
                         {"id":"u","type":"supervisor","restart":"transient","strategy":"one_for_one","intensity":0,"period_ms":5000,
                          "children":[{"id":"z"}]},
                         {"id":"b"}],
             "steps":[{"crash":"a"},{"exit_normal":"s/y"},{"crash":"s/x"},{"which_children":"s"},
                      {"terminate_child":"s"},{"which_children":"s"},{"crash":"s/x"},{"start_child":{"id":"s/n"}},{"restart_child":"s"},
                      {"which_children":true},{"crash":"u/z"},{"which_children":"u"},{"start_child":{"id":"u/n"}},
                      {"terminate_child":"u/z"},{"crash":"u/z"},{"restart_child":"u"},{"which_children":"u"},{"delete_child":"s"},
                      {"which_children":true}]}
            """, [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#,
            #"{"ev":"start","id":"s/y"}"#, #"{"ev":"start","id":"u"}"#, #"{"ev":"start","id":"u/z"}"#,
            #"{"ev":"start","id":"b"}"#,
            // a is first: everything after it stops newest first (a supervisor's children in
            // reverse too), then a, s, u and b start in order.
            #"{"ev":"exit","id":"a","reason":"crash"}"#, #"{"ev":"stop","id":"b"}"#, #"{"ev":"stop","id":"u/z"}"#,
            #"{"ev":"stop","id":"s/y"}"#, #"{"ev":"stop","id":"s/x"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#,
            #"{"ev":"start","id":"s/y"}"#, #"{"ev":"start","id":"u"}"#, #"{"ev":"start","id":"u/z"}"#,
            #"{"ev":"start","id":"b"}"#,
            // y is transient: its normal exit restarts nothing. x's crash makes s (intensity 0) give
            // up; s is in the middle, so the root restarts it and what follows it.
            #"{"ev":"exit","id":"s/y","reason":"normal"}"#,
            #"{"ev":"exit","id":"s/x","reason":"crash"}"#, #"{"ev":"stop","id":"b"}"#, #"{"ev":"stop","id":"u/z"}"#,
            #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/y"}"#,
            #"{"ev":"start","id":"u"}"#, #"{"ev":"start","id":"u/z"}"#, #"{"ev":"start","id":"b"}"#,
            #"{"ev":"children","id":"s","ids":["x","y"],"running":["x","y"]}"#,
            // A terminated supervisor: steps addressed to it answer noproc, crashes are ignored.
            #"{"ev":"stop","id":"s/y"}"#, #"{"ev":"stop","id":"s/x"}"#,
            #"{"ev":"reply","step":"terminate_child","result":"ok"}"#,
            #"{"ev":"reply","step":"which_children","result":"noproc"}"#,
            #"{"ev":"reply","step":"start_child","result":"noproc"}"#,
            #"{"ev":"start","id":"s"}"#, #"{"ev":"start","id":"s/x"}"#, #"{"ev":"start","id":"s/y"}"#,
            #"{"ev":"reply","step":"restart_child","result":"ok"}"#,
            #"{"ev":"children","ids":["a","s","u","b"],"running":["a","s","u","b"]}"#,
            // u is transient: it gives up with shutdown, a normal exit, so the root leaves it down
            // and nothing after it restarts.
            #"{"ev":"exit","id":"u/z","reason":"crash"}"#,
            #"{"ev":"reply","step":"which_children","result":"noproc"}"#,
            #"{"ev":"reply","step":"start_child","result":"noproc"}"#,
            #"{"ev":"reply","step":"terminate_child","result":"noproc"}"#,
            #"{"ev":"start","id":"u"}"#, #"{"ev":"start","id":"u/z"}"#,
            #"{"ev":"reply","step":"restart_child","result":"ok"}"#,
            #"{"ev":"children","id":"u","ids":["z"],"running":["z"]}"#,
            #"{"ev":"reply","step":"delete_child","result":"running"}"#,
            #"{"ev":"children","ids":["a","s","u","b"],"running":["a","s","u","b"]}"#,
        ])
    }

    @Test func aDynamicSupervisorsRestartsAndShutdowns() async throws {
        try await expectTrace("""
            {"strategy":"one_for_all","intensity":3,"period_ms":5000,
             "children":[{"id":"a"},
                         {"id":"d","type":"dynamic","worker_restart":"permanent","intensity":2,"period_ms":5000},
                         {"id":"e","type":"dynamic","restart":"transient","worker_restart":"temporary","intensity":0,"period_ms":5000}],
             "steps":[{"start_child":{"id":"d/w1"}},{"start_child":{"id":"d/w2"}},{"start_child":{"id":"d/w3"}},
                      {"start_child":{"id":"d/w2"}},{"crash":"d/w2"},{"exit_normal":"d/w1"},{"which_children":"d"},
                      {"restart_child":"d/w1"},{"delete_child":"d/w1"},{"terminate_child":"d/w9"},
                      {"crash":"d/w3"},{"which_children":"d"},{"which_children":true},
                      {"start_child":{"id":"e/t1"}},{"start_child":{"id":"e/t2"}},{"exit_normal":"e/t1"},{"which_children":"e"},
                      {"terminate_child":"e/t2"},{"which_children":"e"},
                      {"start_child":{"id":"d/w1"}},{"start_child":{"id":"d/w2"}},{"crash":"a"},{"which_children":"d"},
                      {"start_child":{"id":"d/w4"}},{"crash":"d/w4"},{"crash":"d/w4"},{"crash":"d/w4"},{"which_children":"d"}]}
            """, [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"d"}"#, #"{"ev":"start","id":"e"}"#,
            #"{"ev":"start","id":"d/w1"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"start","id":"d/w2"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"start","id":"d/w3"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"reply","step":"start_child","result":"already_started"}"#,
            // Permanent workers restart after a crash and after a normal exit alike.
            #"{"ev":"exit","id":"d/w2","reason":"crash"}"#, #"{"ev":"start","id":"d/w2"}"#,
            #"{"ev":"exit","id":"d/w1","reason":"normal"}"#, #"{"ev":"start","id":"d/w1"}"#,
            #"{"ev":"children","id":"d","ids":["w1","w2","w3"],"running":["w1","w2","w3"]}"#,
            // simple_one_for_one has no restart_child or delete_child; terminate_child finds by pid.
            #"{"ev":"reply","step":"restart_child","result":"simple_one_for_one"}"#,
            #"{"ev":"reply","step":"delete_child","result":"simple_one_for_one"}"#,
            #"{"ev":"reply","step":"terminate_child","result":"not_found"}"#,
            // The third restart exceeds 2 in 5 s: d stops its workers (all at once, in pid order: w2
            // and w1 were restarted, w2 first) and exits; the root is one_for_all, so a and e stop
            // and everything starts again, d with no workers.
            #"{"ev":"exit","id":"d/w3","reason":"crash"}"#, #"{"ev":"stop","id":"d/w2"}"#, #"{"ev":"stop","id":"d/w1"}"#,
            #"{"ev":"stop","id":"a"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"d"}"#, #"{"ev":"start","id":"e"}"#,
            #"{"ev":"children","id":"d","ids":[],"running":[]}"#,
            #"{"ev":"children","ids":["a","d","e"],"running":["a","d","e"]}"#,
            // Temporary workers are never restarted.
            #"{"ev":"start","id":"e/t1"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"start","id":"e/t2"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"exit","id":"e/t1","reason":"normal"}"#,
            #"{"ev":"children","id":"e","ids":["t2"],"running":["t2"]}"#,
            #"{"ev":"stop","id":"e/t2"}"#, #"{"ev":"reply","step":"terminate_child","result":"ok"}"#,
            #"{"ev":"children","id":"e","ids":[],"running":[]}"#,
            #"{"ev":"start","id":"d/w1"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"start","id":"d/w2"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            // a's crash stops d (its workers in pid order) and e, and restarts all three.
            #"{"ev":"exit","id":"a","reason":"crash"}"#, #"{"ev":"stop","id":"d/w1"}"#, #"{"ev":"stop","id":"d/w2"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"d"}"#, #"{"ev":"start","id":"e"}"#,
            #"{"ev":"children","id":"d","ids":[],"running":[]}"#,
            // The restarted d has a fresh window: two restarts, then the third gives up again.
            #"{"ev":"start","id":"d/w4"}"#, #"{"ev":"reply","step":"start_child","result":"ok"}"#,
            #"{"ev":"exit","id":"d/w4","reason":"crash"}"#, #"{"ev":"start","id":"d/w4"}"#,
            #"{"ev":"exit","id":"d/w4","reason":"crash"}"#, #"{"ev":"start","id":"d/w4"}"#,
            #"{"ev":"exit","id":"d/w4","reason":"crash"}"#, #"{"ev":"stop","id":"a"}"#,
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"d"}"#, #"{"ev":"start","id":"e"}"#,
            #"{"ev":"children","id":"d","ids":[],"running":[]}"#,
        ])
    }

    @Test func aStepAddressedToASupervisorAsAWorkerIsRejected() async throws {
        let (status, message) = try await rejection(#"{"children":[{"id":"s","type":"supervisor"}],"steps":[{"crash":"s"}]}"#)
        #expect(status == 2)
        #expect(message.contains("s is a supervisor; only workers crash or exit"))
        let (unknown, text) = try await rejection(#"{"children":[{"id":"a"}],"steps":[{"which_children":"a"}]}"#)
        #expect(unknown == 2)
        #expect(text.contains("a is not a supervisor of the tree"))
    }

    @Test func aBadScenarioIsRejectedWithAClearMessage() async throws {
        let (status, message) = try await rejection(#"{"strategy":"one_for_none"}"#)
        #expect(status == 2)
        #expect(message.contains("strategy: expected one_for_one, one_for_all or rest_for_one"))
    }

    /// Runs a scenario the tool should refuse: its exit status and what it wrote to stderr.
    private func rejection(_ scenario: String) async throws -> (Int32, String) {
        let (status, data) = try await Self.spawn(try traceBinary(), [], input: scenario, capturing: .errors)
        return (status, String(decoding: data, as: UTF8.self))
    }
}
