import Supervision

/// When a subscription's upstream counts as stalled: it keeps its socket open but stopped
/// sending, while the chain moves on.
///
/// Silence alone proves nothing — a chain can halt, and a log filter can match nothing for
/// hours — so the rule also asks for evidence that blocks were made meanwhile: a head known
/// elsewhere (health probes, other upstreams) above the last block the stream saw. For a
/// `logs` key, the events timed are its upstream's headers (the liveness feed), not its logs.
///
/// ```swift
/// let stalled = StallRule.isStalled(lastEventAt: .init(milliseconds: 0), now: .init(milliseconds: 3_700),
///                                   blockTime: .milliseconds(1_200), lastBlock: 100, bestKnownHead: 103)
/// // true: 3 700 ms of silence is more than 3 block times (3 600 ms), and the head moved on
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum StallRule {
    /// Block times of silence before an upstream counts as stalled: one late block is normal
    /// (block times vary), three in a row is not.
    public static let silentBlocks = 3
    /// The least silence that counts, whatever the block time: on a chain of sub-second blocks
    /// three block times is shorter than a busy host's scheduling hiccup, and leaving a healthy
    /// provider costs a failover.
    public static let minimumSilence: Duration = .seconds(2)
    /// The longest silence `RuntimeInstant.since` can report (`Int64.max` nanoseconds, some 292
    /// years): a block time past it can never be exceeded, and staying below it keeps
    /// `silentBlocks × blockTime` from overflowing.
    static let longestSilence: Duration = .nanoseconds(Int64.max)

    /// True when more than `silentBlocks × blockTime` (at least `minimumSilence`) passed since
    /// the stream's last event and
    /// the best known head is above the last block the stream saw (or the stream saw none yet
    /// and some head is known).
    public static func isStalled(lastEventAt: RuntimeInstant, now: RuntimeInstant, blockTime: Duration,
                                 lastBlock: UInt64?, bestKnownHead: UInt64?) -> Bool {
        guard blockTime <= longestSilence,
              now.since(lastEventAt) > max(blockTime * silentBlocks, minimumSilence), let bestKnownHead
        else { return false }
        guard let lastBlock else { return true }
        return bestKnownHead > lastBlock
    }
}
