import Foundation
import Lasso
import LassoSimulation

/// `lassod battle`: lists the built-in scenarios, or runs one (or a scenario file), prints the
/// summary, writes the report and exits 0 when every SLO held, 1 when one failed, 2 on bad usage.
func battle(_ options: BattleOptions) async -> Never {
    if options.list {
        let width = Battle.Catalog.entries.map(\.name.count).max() ?? 0
        for entry in Battle.Catalog.entries {
            print(entry.name + String(repeating: " ", count: width - entry.name.count + 2) + entry.summary)
        }
        exit(0)
    }
    let name = options.scenario ?? ""
    let durationMs = options.durationMs ?? 30_000
    let seed = options.seed ?? 1
    let scenario: Battle.Scenario
    if let reason = Battle.Catalog.unavailable[name] {
        fail("battle: \(reason)", code: 2)
    } else if let builtIn = Battle.Catalog.scenario(named: name, durationMs: durationMs, seed: seed) {
        scenario = builtIn
    } else if FileManager.default.fileExists(atPath: name) {
        do {
            var loaded = try Battle.ScenarioFile.load(path: name)
            if let duration = options.durationMs { loaded.durationMs = duration }
            if let seed = options.seed { loaded.seed = seed }
            scenario = loaded
        } catch {
            fail("battle: \(name): \(error)", code: 2)
        }
    } else {
        fail("battle: no built-in scenario or file \"\(name)\" (lassod battle --list names the built-ins)", code: 2)
    }
    let directory = options.reportDirectory ?? "battle-reports/\(scenario.name)"
    FileHandle.standardError.write(Data("lassod battle \(scenario.name): \(scenario.durationMs / 1000) s, seed \(scenario.seed)\n".utf8))
    do {
        let report = try await scenario.run(reportDirectory: directory)
        print(Battle.Reporter.summary(report))
        print("report: \(directory)/" + Battle.Reporter.files(report).joined(separator: ", "))
        exit(report.passed ? 0 : 1)
    } catch {
        fail("battle: \(scenario.name) could not run: \(error)", code: 1)
    }
}
