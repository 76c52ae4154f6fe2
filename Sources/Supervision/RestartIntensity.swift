/// The restart limit of a supervisor: at most `maxRestarts` restarts in any `period`.
///
/// Erlang's sliding window, as pure functions: on each restart drop the timestamps older than
/// `now - period`, add `now`, and give up if more than `maxRestarts` remain. So with the default
/// 3 in 5 s, three restarts in a burst are fine and the fourth inside the window is fatal; with
/// `maxRestarts: 0` the first restart is.
public struct RestartIntensity: Sendable, Equatable {
    public var maxRestarts: Int
    public var period: Duration

    /// Elixir's default: 3 restarts in 5 seconds.
    public static let `default` = RestartIntensity(maxRestarts: 3, period: .seconds(5))

    public init(maxRestarts: Int, period: Duration) {
        self.maxRestarts = max(0, maxRestarts)
        self.period = period
    }

    /// Records a restart at `now` in `history` (oldest first). Returns `false` when the limit is
    /// exceeded and the supervisor must shut down.
    public func recordRestart(at now: RuntimeInstant, in history: inout [RuntimeInstant]) -> Bool {
        let threshold = now - period
        history.removeAll { $0 < threshold }
        history.append(now)
        return history.count <= maxRestarts
    }
}
