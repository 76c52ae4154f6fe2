import Foundation
import Testing
import TestSupport
import TransportFuzzing

// The ```swift example in the doc comments of Sources/TransportFuzzing, compiled and run here as
// it stands there: the fuzzer counts this process's descriptors and memory, so it runs with the
// process-wide tests, alone. The last test checks that the example's lines stand in this file
// (`docExampleProblems`), so the doc example cannot drift from code that compiles.

@Suite struct DocExampleTests {
    @Test func transportFuzzer() throws {
        let report = try TransportFuzzer(seed: 42).run(rounds: 1, within: .seconds(4))
        // report.violations is empty when the transport held; the same seed replays the same attacks
        #expect(report.rounds == 1)
        #expect(report.violations.isEmpty, "\(report)")
    }

    @Test func everyDocExampleStandsInThisFile() throws {
        let examples = try docExamples(under: "Sources/TransportFuzzing")
        #expect(examples.count == 1)
        let problems = try docExampleProblems(examples)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
