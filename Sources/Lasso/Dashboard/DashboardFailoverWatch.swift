/// Turns subscription failovers into entries of the dashboard's live feed: it compares each
/// key's `StreamStatus` in the chain's `SubscriptionTable` with what it saw at its last look.
///
/// - `failovers` grew: a `subscription.failover.started` entry (reason, from, last block; the
///   key's total, so a look that missed one in between still counts right).
/// - The last failover has a duration it did not have (or a new failover already ended): a
///   `subscription.failover.completed` entry (to, duration, backfilled, skipped).
///
/// Entries have the shape of the coordinator's log lines of the same name (`Logger.render`:
/// `ts`, `level`, `event`, then the fields, strings scrubbed), with `key` as the status shows
/// it (a logs filter cut to 200 characters). The table is the source, not the log: it is
/// written before anything is sent and read without asking any process, so a look costs one
/// lock per chain and misses no failover whatever the log level.
///
/// The first look at a key (a page just opened, a key just added) only notes where it stands:
/// the feed is live; a key's past failover is in the subscriptions panel.
struct DashboardFailoverWatch {
    private struct Seen {
        var failovers: Int
        var completed: Bool
    }

    private var seen: [String: [SubscriptionKey: Seen]] = [:]

    /// Forgets every key: the next look starts afresh (no page is watching).
    mutating func reset() {
        seen = [:]
    }

    /// The feed entries for what changed on `chain` since the last look, oldest first;
    /// `statuses` is the chain's every key (keys missing from it are forgotten).
    mutating func look(chain: String, statuses: [StreamStatus], logger: Logger, unixMillis: Int64) -> [[UInt8]] {
        var before = seen[chain] ?? [:]
        var now: [SubscriptionKey: Seen] = [:]
        var entries: [[UInt8]] = []
        for status in statuses {
            let completed = status.lastFailover?.durationMs != nil
            now[status.key] = Seen(failovers: status.counters.failovers, completed: completed)
            guard let last = before.removeValue(forKey: status.key), let failover = status.lastFailover else { continue }
            let started = status.counters.failovers > last.failovers
            guard started || (completed && !last.completed) else { continue }
            let shown = ChainStatus.Subscription(status)
            if started {
                entries.append(logger.render(.warning, "subscription.failover.started", [
                    "chain": .string(chain), "key": .string(shown.key), "reason": .string(failover.reason),
                    "from": failover.from.map(LogValue.string) ?? .null,
                    "last_block": status.lastBlock.map { .int(Int(clamping: $0)) } ?? .null,
                    "failovers": .int(status.counters.failovers)], unixMillis: unixMillis))
            }
            if completed {
                entries.append(logger.render(.info, "subscription.failover.completed", [
                    "chain": .string(chain), "key": .string(shown.key), "reason": .string(failover.reason),
                    "from": failover.from.map(LogValue.string) ?? .null, "to": failover.to.map(LogValue.string) ?? .null,
                    "duration_ms": failover.durationMs.map(LogValue.int) ?? .null,
                    "backfilled": .int(failover.backfilled), "skipped": .int(failover.skipped)], unixMillis: unixMillis))
            }
        }
        seen[chain] = now.isEmpty ? nil : now
        return entries
    }
}
