/// What a reload does to each chain, given the diff between the old and new config and the
/// chains an earlier reload left behind (a stop or a start that failed).
///
/// A failed step is owed, not forgotten: the next reload retries it even when its diff is
/// empty. An owed chain that is still configured is brought in line with the config (stopped
/// if it runs, then started from its new settings); one that is no longer configured is
/// stopped. Chains the diff names and nothing owes are handled as the diff says.
///
/// ```swift
/// // base failed to restart last time; polygon was removed now, optimism added.
/// let plan = ReloadPlan(diff: diff, owed: ["base"], configured: ["ethereum", "base", "optimism"])
/// // stop: ["polygon"], restart: [], replace: ["base"], start: ["optimism"]
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
struct ReloadPlan: Equatable {
    /// Stop if running.
    var stop: [String]
    /// Changed chains: if running, stop and start from the new settings; a stopped one stays stopped.
    var restart: [String]
    /// Owed chains still configured: stop if running, then start from the current settings.
    var replace: [String]
    /// Start if not running.
    var start: [String]

    init(diff: ConfigDiff, owed: Set<String>, configured: Set<String>) {
        stop = diff.removed.filter { !owed.contains($0) } + owed.subtracting(configured).sorted()
        restart = diff.changed.filter { !owed.contains($0) }
        replace = owed.intersection(configured).sorted()
        start = diff.added.filter { !owed.contains($0) }
    }
}
