import Foundation
import Testing
import TestSupport

/// Golden traces for `supervision-trace`: each expected output is what an Erlang/OTP
/// supervisor with the same flags and children does (derived from `supervisor.erl`; see
/// docs/supervision.md for the mapping).
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

    /// Runs the binary on `input` (off the cooperative pool: it waits for a child process).
    private func trace(_ input: String) async throws -> (status: Int32, output: String, errors: String) {
        let binary = try traceBinary()
        return try await offPool {
            let process = Process()
            process.executableURL = binary
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let output = stdout.fileHandleForReading.readDataToEndOfFile()
            let errors = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
        }
    }

    private func run(_ scenario: String) async throws -> [String] {
        let result = try await trace(scenario)
        #expect(result.status == 0)
        return result.output.split(separator: "\n").map(String.init)
    }

    @Test func theIssueScenarioMatchesOTP() async throws {
        let lines = try await run("""
            {"strategy":"one_for_all","intensity":3,"period_ms":5000,
             "children":[{"id":"a","restart":"permanent"},{"id":"b","restart":"transient"},{"id":"c","restart":"temporary"}],
             "steps":[{"crash":"b"},{"exit_normal":"a"},{"advance_ms":6000},{"terminate_child":"a"},{"restart_child":"a"},
                      {"delete_child":"a"},{"start_child":{"id":"d","restart":"permanent"}},{"which_children":true}]}
            """)
        #expect(lines == [
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
        let lines = try await run("""
            {"strategy":"one_for_one","intensity":1,"period_ms":5000,
             "children":[{"id":"a"},{"id":"b"},{"id":"c"}],
             "steps":[{"crash":"b"},{"crash":"b"},{"which_children":true}]}
            """)
        #expect(lines == [
            #"{"ev":"start","id":"a"}"#, #"{"ev":"start","id":"b"}"#, #"{"ev":"start","id":"c"}"#,
            #"{"ev":"exit","id":"b","reason":"crash"}"#, #"{"ev":"start","id":"b"}"#,
            #"{"ev":"exit","id":"b","reason":"crash"}"#, #"{"ev":"stop","id":"c"}"#, #"{"ev":"stop","id":"a"}"#,
            #"{"ev":"supervisor_exit","reason":"shutdown"}"#,
        ])
    }

    @Test func restForOneAndTheRemainingAPIAnswers() async throws {
        let lines = try await run("""
            {"strategy":"rest_for_one","intensity":3,"period_ms":5000,
             "children":[{"id":"a"},{"id":"b","restart":"transient"},{"id":"c"}],
             "steps":[{"exit_normal":"b"},{"crash":"b"},{"restart_child":"b"},{"start_child":{"id":"a"}},
                      {"start_child":{"id":"b"}},{"crash":"a"},{"terminate_child":"x"},{"delete_child":"b"},
                      {"terminate_child":"c"},{"delete_child":"c"},{"which_children":true}]}
            """)
        #expect(lines == [
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

    @Test func aBadScenarioIsRejectedWithAClearMessage() async throws {
        let result = try await trace(#"{"strategy":"one_for_none"}"#)
        #expect(result.status == 2)
        #expect(result.errors.contains("strategy: expected one_for_one, one_for_all or rest_for_one"))
    }
}
