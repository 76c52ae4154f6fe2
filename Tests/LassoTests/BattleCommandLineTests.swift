import Testing
@testable import Lasso

/// `lassod battle …` as the pure parser sees it: a scenario name or file, its flags in either
/// spelling, `--list`, and bad input refused with a message that says what is expected.
struct BattleCommandLineTests {
    private func parse(_ arguments: String) -> Result<CommandLineOptions, CommandLineOptions.Problem> {
        CommandLineOptions.parse(arguments.split(separator: " ").map(String.init))
    }

    private func battle(_ arguments: String) throws -> BattleOptions {
        let options = try parse(arguments).get()
        guard case .battle(let battle) = options.command else {
            Issue.record("\(arguments) is not a battle command: \(options.command)")
            return BattleOptions()
        }
        return battle
    }

    private func problem(_ arguments: String) -> String? {
        if case .failure(let problem) = parse(arguments) { return problem.description }
        return nil
    }

    @Test func aScenarioAloneTakesNoDefaultsHere() throws {
        // The defaults (30 s, seed 1, battle-reports/<name>) are lassod's to fill in: nil means "not given".
        #expect(try battle("battle http-failover") == BattleOptions(scenario: "http-failover"))
        #expect(try battle("battle scenarios/mine.yml") == BattleOptions(scenario: "scenarios/mine.yml"))
    }

    @Test func flagsTakeTheirValueNextOrAfterAnEqualsSignOnEitherSideOfTheName() throws {
        let expected = BattleOptions(scenario: "flap", durationMs: 30_000, reportDirectory: "out/flap", seed: 42)
        #expect(try battle("battle flap --duration 30s --report out/flap --seed 42") == expected)
        #expect(try battle("battle --duration=30s --report=out/flap --seed=42 flap") == expected)
        #expect(try battle("battle --seed 1 flap --seed 42 --duration 30s --report out/flap") == expected, "the last wins")
    }

    @Test func durationsReadMillisecondsSecondsMinutesOrBareSeconds() throws {
        #expect(try battle("battle degrade --duration 1500ms").durationMs == 1_500)
        #expect(try battle("battle degrade --duration 6s").durationMs == 6_000)
        #expect(try battle("battle degrade --duration 2m").durationMs == 120_000)
        #expect(try battle("battle degrade --duration 45").durationMs == 45_000)
        #expect(BattleOptions.milliseconds("0s") == nil && BattleOptions.milliseconds("1.5s") == nil
                && BattleOptions.milliseconds("-3s") == nil && BattleOptions.milliseconds("s") == nil)
    }

    @Test func listNeedsNoScenario() throws {
        #expect(try battle("battle --list") == BattleOptions(list: true))
    }

    @Test func badInputIsRefusedWithAMessageThatSaysWhatIsExpected() {
        #expect(problem("battle") == "battle: needs a scenario (lassod battle --list names them)")
        #expect(problem("battle flap degrade") == "battle: one scenario at a time, got degrade too")
        #expect(problem("battle flap --duration") == "battle: --duration needs a value")
        #expect(problem("battle flap --duration=") == "battle: --duration needs a value")
        #expect(problem("battle flap --duration soon")
                == "battle: invalid --duration \"soon\": expected e.g. 30s, 1500ms, 2m")
        #expect(problem("battle flap --duration 0s") == "battle: invalid --duration \"0s\": expected e.g. 30s, 1500ms, 2m")
        #expect(problem("battle flap --seed -1") == "battle: invalid --seed \"-1\": expected a whole number")
        #expect(problem("battle flap --report") == "battle: --report needs a value")
        #expect(problem("battle flap --verbose") == "battle: unknown option --verbose")
    }
}
