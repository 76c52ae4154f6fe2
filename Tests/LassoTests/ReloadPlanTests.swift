import Testing
@testable import Lasso

/// What a reload does to each chain: the diff's, plus what an earlier reload still owes.
@Suite struct ReloadPlanTests {
    static func diff(added: [String] = [], removed: [String] = [], changed: [String] = []) -> ConfigDiff {
        var diff = ConfigDiff(from: LassoConfig(chains: []), to: LassoConfig(chains: []))
        diff.added = added
        diff.removed = removed
        diff.changed = changed
        return diff
    }

    @Test func withNothingOwedThePlanIsTheDiff() {
        let plan = ReloadPlan(diff: Self.diff(added: ["optimism"], removed: ["polygon"], changed: ["base"]), owed: [],
                              configured: ["ethereum", "base", "optimism"])
        #expect(plan.stop == ["polygon"] && plan.restart == ["base"] && plan.replace == [] && plan.start == ["optimism"])
    }

    @Test func owedChainsAreRetriedEvenWhenTheDiffIsEmpty() {
        // base failed to restart, polygon (removed) failed to stop: the same file again retries both.
        let plan = ReloadPlan(diff: Self.diff(), owed: ["base", "polygon"], configured: ["ethereum", "base"])
        #expect(plan.stop == ["polygon"] && plan.restart == [] && plan.replace == ["base"] && plan.start == [])
    }

    @Test func anOwedChainIsHandledOnceWhateverTheDiffSaysOfIt() {
        // polygon failed to stop when removed and is configured again: it still runs its old
        // settings, so it is replaced, not started beside itself. base owed a start and changed.
        let plan = ReloadPlan(diff: Self.diff(added: ["polygon"], removed: ["optimism"], changed: ["base"]),
                              owed: ["polygon", "base", "optimism"], configured: ["ethereum", "base", "polygon"])
        #expect(plan.stop == ["optimism"] && plan.restart == [] && plan.replace == ["base", "polygon"] && plan.start == [])
    }
}
