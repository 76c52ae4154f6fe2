import Foundation
import Testing

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

    private func run(_ scenario: String) throws -> [String] {
        let process = Process()
        process.executableURL = try traceBinary()
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(scenario.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func theIssueScenarioMatchesOTP() throws {
        let lines = try run("""
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

    @Test func exceedingIntensityStopsTheRestNewestFirstAndEnds() throws {
        let lines = try run("""
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

    @Test func restForOneAndTheRemainingAPIAnswers() throws {
        let lines = try run("""
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

    @Test func aBadScenarioIsRejectedWithAClearMessage() throws {
        let process = Process()
        process.executableURL = try traceBinary()
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data(#"{"strategy":"one_for_none"}"#.utf8))
        try input.fileHandleForWriting.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(message.contains("strategy: expected one_for_one, one_for_all or rest_for_one"))
    }
}
