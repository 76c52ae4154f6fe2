import Synchronization

/// The dashboard's live feed of routing decisions: each entry is the request's
/// `rpc.request.completed` line (`RequestLogLine`, so scrubbed and URL-free like the log),
/// kept as rendered JSON.
///
/// Sampled when traffic is high: at most `perPush` entries are taken between two pushes; the
/// rest are only counted (`skipped`), so a flood of requests costs the hot path one lock and
/// an increment, never a render. The last `recentCount` entries are kept for a page that opens.
public final class DashboardFeed: Sendable {
    /// Entries taken between two pushes, at most.
    public let perPush: Int
    /// Entries a page that opens is shown.
    public let recentCount: Int

    private struct State {
        var fresh: [[UInt8]] = []
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
            if state.fresh.count >= perPush {
                state.skipped += 1
                return true
            }
            return false
        }
        guard !full else { return }
        let entry = render()
        state.withLock { state in
            guard state.fresh.count < perPush else {
                state.skipped += 1
                return
            }
            state.fresh.append(entry)
        }
    }

    /// The entries taken since the last drain and how many were skipped; starts a new interval.
    public func drain() -> (entries: [[UInt8]], skipped: Int) {
        state.withLock { state in
            let taken = (state.fresh, state.skipped)
            state.recent.append(contentsOf: state.fresh)
            if state.recent.count > recentCount { state.recent.removeFirst(state.recent.count - recentCount) }
            state.fresh = []
            state.skipped = 0
            return taken
        }
    }

    /// The last entries pushed, oldest first.
    public var recent: [[UInt8]] { state.withLock { $0.recent } }
}
