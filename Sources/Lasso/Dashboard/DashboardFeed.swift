import Synchronization

/// The dashboard's live feed: routing decisions, each the request's `rpc.request.completed`
/// line (`RequestLogLine`, so scrubbed and URL-free like the log), and subscription failovers
/// (`subscription.failover.started` / `.completed`, `DashboardFailoverWatch`), kept as rendered
/// JSON.
///
/// Decisions are sampled when traffic is high: at most `perPush` are taken between two pushes;
/// the rest are only counted (`skipped`), so a flood of requests costs the hot path one lock
/// and an increment, never a render. Failovers are rare and what an operator must not miss:
/// they are not sampled against decisions, only bounded on their own (`perPush` more per push,
/// the rest counted as skipped). The last `recentCount` entries are kept for a page that opens.
public final class DashboardFeed: Sendable {
    /// Entries taken between two pushes, at most.
    public let perPush: Int
    /// Entries a page that opens is shown.
    public let recentCount: Int

    private struct State {
        var fresh: [[UInt8]] = []
        /// Of `fresh`, the entries `post` added.
        var posted = 0
        var skipped = 0
        var recent: [[UInt8]] = []
    }

    private let state = Mutex(State())

    public init(perPush: Int = 10, recentCount: Int = 30) {
        self.perPush = max(1, perPush)
        self.recentCount = max(1, recentCount)
    }

    /// Takes the entry `render` makes, unless this interval already has `perPush` entries.
    public func offer(_ render: () -> [UInt8]) {
        let full = state.withLock { state -> Bool in
            if state.fresh.count - state.posted >= perPush {
                state.skipped += 1
                return true
            }
            return false
        }
        guard !full else { return }
        let entry = render()
        state.withLock { state in
            guard state.fresh.count - state.posted < perPush else {
                state.skipped += 1
                return
            }
            state.fresh.append(entry)
        }
    }

    /// Takes `entries` (already rendered events) whatever the decisions' sampling, up to
    /// `perPush` per interval; the rest are counted as skipped.
    public func post(_ entries: [[UInt8]]) {
        guard !entries.isEmpty else { return }
        state.withLock { state in
            let taken = min(entries.count, max(0, perPush - state.posted))
            state.fresh.append(contentsOf: entries.prefix(taken))
            state.posted += taken
            state.skipped += entries.count - taken
        }
    }

    /// The entries taken since the last drain and how many were skipped; starts a new interval.
    public func drain() -> (entries: [[UInt8]], skipped: Int) {
        state.withLock { state in
            let taken = (state.fresh, state.skipped)
            state.recent.append(contentsOf: state.fresh)
            if state.recent.count > recentCount { state.recent.removeFirst(state.recent.count - recentCount) }
            state.fresh = []
            state.posted = 0
            state.skipped = 0
            return taken
        }
    }

    /// The last entries pushed, oldest first.
    public var recent: [[UInt8]] { state.withLock { $0.recent } }
}
