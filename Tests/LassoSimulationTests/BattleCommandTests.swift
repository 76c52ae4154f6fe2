import Foundation
import Testing
import LassoSimulation
import TestSupport

/// `lassod battle path/to/scenario.yml` end to end: the real `lassod` binary run on a scenario
/// file written here, its exit status, its summary, and the report it leaves on disk read back.
@Suite(.serialized) struct BattleCommandTests {
    /// A fresh directory for one run, removed afterwards by the caller.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("battle-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func requireBinary() throws {
        try #require(FileManager.default.isExecutableFile(atPath: LassodBinary.url.path),
                     "build lassod first: \(LassodBinary.url.path)")
    }

    /// A file without a name runs under its file name; --duration, --seed and --report replace the
    /// file's; every SLO kept exits 0 and the report says what the file asked for.
    @Test func aScenarioFileRunsWithTheCommandLinesOverridesAndExitsZeroWhenItsSLOsHold() async throws {
        try Self.requireBinary()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("mine.yml")
        try """
            summary: two providers, the faster one killed for a second
            duration: 20s
            seed: 5
            chains:
              ethereum:
                providers: [{id: a, latency_ms: 5}, {id: b, latency_ms: 10}]
            workloads:
              - {chain: ethereum, concurrency: 8, methods: {eth_chainId: 1, eth_getBalance: 1}}
            chaos:
              - {action: kill, target: "fastest:ethereum", at: 1s, restore_after: 1s}
            slos:
              - {success_rate: 1.0}
              - {min_requests: 50}
            """.write(to: file, atomically: true, encoding: .utf8)
        let reports = directory.appendingPathComponent("out").path

        let exit = try await LassodBinary.run(["battle", file.path, "--duration", "3s", "--seed", "9", "--report", reports],
                                              in: directory)

        #expect(exit.status == 0, "stdout: \(exit.stdout)\nstderr: \(exit.stderr)")
        #expect(exit.stderr.contains("lassod battle mine: 3 s, seed 9"), "\(exit.stderr)")
        #expect(exit.stdout.contains("[pass] success rate ≥ 1.0"))
        let report = try Battle.Reporter.read(from: reports)
        // The header gives the load's real duration: 3 s, more if a late kill stretched the run.
        #expect(exit.stdout.contains("scenario mine (seed 9, \(Int(report.durationMs / 1000)) s): PASSED"), "\(exit.stdout)")
        #expect(report.scenario == "mine" && report.seed == 9 && report.summary == "two providers, the faster one killed for a second")
        #expect(report.durationMs >= 3_000 && report.durationMs < 20_000, "--duration replaced the file's 20 s")
        #expect(report.faults.map(\.description) == ["kill a"])
        #expect(report.verdicts.map(\.slo) == ["success rate ≥ 1.0", "≥ 50 requests"])
        #expect(report.passed && report.successRate == 1.0, "\(report.verdicts)")
        #expect(Set(report.servedBy.keys) == ["a", "b"], "a before and after its kill, b meanwhile: \(report.servedBy)")
        for name in ["report.md", "latency.svg"] {
            #expect(FileManager.default.fileExists(atPath: reports + "/" + name), "\(name) written")
        }
    }

    /// A broken SLO exits 1 and says which; without --report the report goes to
    /// battle-reports/<name> under the working directory.
    @Test func aBrokenSLOExitsOneAndTheDefaultReportDirectoryHoldsWhy() async throws {
        try Self.requireBinary()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.yml")
        try """
            name: one-provider
            duration: 2500ms
            chains:
              ethereum:
                providers: [{id: only, latency_ms: 5}]
            workloads:
              - {chain: ethereum, concurrency: 4, methods: {eth_chainId: 1}}
            chaos:
              - {action: kill, target: only, at: 500ms, restore_after: 1s}
            slos:
              - {success_rate: 1.0}
            """.write(to: file, atomically: true, encoding: .utf8)

        let exit = try await LassodBinary.run(["battle", file.path], in: directory)

        #expect(exit.status == 1, "stdout: \(exit.stdout)\nstderr: \(exit.stderr)")
        #expect(exit.stdout.contains("[FAIL] success rate ≥ 1.0"))
        let report = try Battle.Reporter.read(from: directory.appendingPathComponent("battle-reports/one-provider").path)
        // The header gives the load's real duration: 2.5 s, or more when a late kill stretched
        // the run (`RunEnd`; a loaded host once made it 3 s).
        #expect(report.durationMs >= 2_500)
        #expect(exit.stdout.contains("scenario one-provider (seed 1, \(Int(report.durationMs / 1000)) s): FAILED"),
                "\(exit.stdout)")
        #expect(!report.passed && report.successRate < 1.0)
        #expect(report.faults.map(\.description) == ["kill only"])
    }

    /// A file that is not a scenario, or a name that is neither a built-in nor a file, exits 2
    /// before anything runs, saying what is wrong.
    @Test func aBadFileOrUnknownNameExitsTwoSayingWhy() async throws {
        try Self.requireBinary()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yml")
        try "chains:\n  ethereum:\n    providers: [{id: a}]\nchaos:\n  - {action: explode, at: 1s}\n"
            .write(to: file, atomically: true, encoding: .utf8)

        let bad = try await LassodBinary.run(["battle", file.path], in: directory)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("lassod: battle: \(file.path): line 5: action must be kill, flap, degrade"), "\(bad.stderr)")

        let unknown = try await LassodBinary.run(["battle", "no-such-scenario"], in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains(#"no built-in scenario or file "no-such-scenario""#), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("battle-reports").path),
                "nothing ran, nothing written")
    }
}
