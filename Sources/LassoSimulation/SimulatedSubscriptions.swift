import Supervision
import Lasso

/// The `eth_subscribe` subscriptions of one simulated WebSocket connection, and the events they
/// are owed as the chain grows.
///
/// Each subscription remembers the last block it was told about. `tick(behavior:now:)` — called
/// by the serving layer whenever a block may have appeared (`SimulatedChain.nextBlockInstant`)
/// — emits, for every block since then up to this provider's head, one `newHeads` header or one
/// notification per matching log. So, for a healthy provider:
/// - **No gaps, no duplicates.** Whatever the tick times, each block is announced exactly once
///   per subscription, in order; ticking twice at the same instant emits nothing new.
/// - **Lag is delay, not loss.** A `lagging(N)` provider announces block `b` when the chain
///   reaches `b + N`; when the lag shrinks, the skipped-over blocks all arrive in the next tick,
///   and when it grows, nothing is repeated.
/// - **Stalls lose events.** While the behavior does not push events (stalled subscription,
///   hanging, down, killed), ticks advance the cursor silently — those events are gone, as on a
///   real node, and a proxy must backfill them.
/// - **A long pause is capped.** At most `maxBlocksPerTick` blocks (the newest) are announced
///   per tick, so a connection ticked after a long sleep cannot be made to build an unbounded
///   burst.
/// - **Reorgs as geth sends them.** Each subscription remembers which view of the chain
///   (`SimulatedChain.fork`) it announced on. When a tick's view differs and blocks it announced
///   are orphaned, a `logs` subscription first gets each orphaned matching log again with
///   `"removed":true` (block, then log order), and both kinds re-announce the new branch from
///   the fork point: `newHeads` a header of the same number with a new hash, `logs` the
///   branch's logs.
///
/// ```swift
/// var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
/// let subscribed = handler.handleWebSocket(message: subscribeNewHeads, behavior: .healthy, now: t0, subscriptions: &subscriptions)
/// let notifications = subscriptions.tick(behavior: .healthy, now: t0.advanced(byMilliseconds: 3_000))   // 3 newHeads, blocks 1…3
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public struct SimulatedSubscriptions: Sendable {
    /// What a subscription follows.
    public enum Kind: Sendable, Equatable {
        /// Every new block header.
        case newHeads
        /// Every new log matching the filter.
        case logs(SimulatedLogFilter)
    }

    /// One subscription's state.
    private struct Entry: Sendable {
        var id: String
        var kind: Kind
        /// The last block this subscription has been told about (or skipped past).
        var lastAnnounced: UInt64
        /// No events before this instant: the `eth_subscribe` reply of a slow provider is still
        /// on its way, and a client must learn the id before its first event.
        var activeFrom: RuntimeInstant
        /// The branch `lastAnnounced` was announced on.
        var fork: SimulatedFork?
    }

    /// The chain followed.
    public let chain: SimulatedChain
    /// Subscriptions per connection; `eth_subscribe` beyond it is refused.
    public let maxSubscriptions: Int
    /// Blocks announced per tick at most.
    public let maxBlocksPerTick: UInt64
    /// Makes this connection's subscription ids differ from another connection's.
    private let connectionSeed: UInt64
    private var entries: [Entry] = []
    private var serial: UInt64 = 0

    /// An empty table for one connection. `connectionSeed` should differ per connection of a
    /// provider so subscription ids do too; ids are still deterministic for a given seed.
    public init(chain: SimulatedChain, connectionSeed: UInt64 = 0, maxSubscriptions: Int = 100,
                maxBlocksPerTick: UInt64 = 128) {
        self.chain = chain
        self.connectionSeed = connectionSeed
        self.maxSubscriptions = max(0, maxSubscriptions)
        self.maxBlocksPerTick = max(1, maxBlocksPerTick)
    }

    /// Live subscription ids, oldest first.
    public var ids: [String] { entries.map(\.id) }

    /// What subscription `id` follows; nil when there is no such subscription.
    public func kind(of id: String) -> Kind? {
        entries.first { $0.id == id }?.kind
    }

    /// Adds a subscription that will announce blocks after `head` of the `fork` branch, from
    /// `activeFrom` on; nil when the connection already has `maxSubscriptions`.
    mutating func subscribe(_ kind: Kind, head: UInt64, activeFrom: RuntimeInstant, fork: SimulatedFork? = nil) -> String? {
        guard entries.count < maxSubscriptions else { return nil }
        var id: String
        repeat {
            serial += 1
            let domain = DeterministicMixer.Domain.subscriptionID.rawValue
            id = "0x" + SimulatedHex.word(DeterministicMixer.mix(chain.chainID, domain, connectionSeed, serial, 0))
                + SimulatedHex.word(DeterministicMixer.mix(chain.chainID, domain, connectionSeed, serial, 1))
        } while entries.contains { $0.id == id }
        entries.append(Entry(id: id, kind: kind, lastAnnounced: head, activeFrom: activeFrom, fork: fork))
        return id
    }

    /// Removes subscription `id`; false when there was none (the `eth_unsubscribe` result).
    public mutating func unsubscribe(_ id: String) -> Bool {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return false }
        entries.remove(at: index)
        return true
    }

    /// The notifications owed at `now` to a provider behaving as `behavior`, ordered by block,
    /// then by subscription age, then by log index.
    public mutating func tick(behavior: SimulatedProviderBehavior, now: RuntimeInstant) -> [SimulatedNotification] {
        tick(behavior: behavior, now: now, on: chain)
    }

    /// The notifications owed at `now` to a provider that follows `view` (this chain, or a fork
    /// of it) and behaves as `behavior`: first the retractions of a reorg, then the events, by
    /// block, then by subscription age, then by log index.
    public mutating func tick(behavior: SimulatedProviderBehavior, now: RuntimeInstant,
                              on view: SimulatedChain) -> [SimulatedNotification] {
        let retractions = reorganise(onto: view, pushing: behavior.pushesSubscriptionEvents)
        let chainHead = view.head(at: now)
        let lag = behavior.lagBlocks
        let head = chainHead > lag ? chainHead - lag : 0
        let oldestAllowed = head >= maxBlocksPerTick ? head - maxBlocksPerTick + 1 : 0
        var due: [(entry: Int, blocks: ClosedRange<UInt64>)] = []
        for index in entries.indices {
            let entry = entries[index]
            guard now >= entry.activeFrom, head > entry.lastAnnounced else { continue }
            entries[index].lastAnnounced = head
            if behavior.pushesSubscriptionEvents {
                due.append((index, max(entry.lastAnnounced + 1, oldestAllowed)...head))
            }
        }
        guard let first = due.map(\.blocks.lowerBound).min() else { return [] }

        var notifications: [SimulatedNotification] = []
        for number in first...head {
            var header: [UInt8]?
            var logs: [SimulatedLog]?
            for (index, blocks) in due where blocks.contains(number) {
                let entry = entries[index]
                switch entry.kind {
                case .newHeads:
                    let result = header ?? view.block(number).headerJSON
                    header = result
                    notifications.append(Self.notification(entry.id, number, result))
                case .logs(let filter):
                    let blockLogs = logs ?? view.logs(inBlock: number)
                    logs = blockLogs
                    for log in blockLogs where filter.matches(log) {
                        notifications.append(Self.notification(entry.id, number, log.json))
                    }
                }
            }
        }
        return retractions + notifications
    }

    /// Moves every subscription onto `view`: those that announced blocks `view` orphans go back
    /// to the fork point, so the tick re-announces the new branch from there. Returns the
    /// retractions owed (when `pushing`; otherwise they are lost like any other event).
    private mutating func reorganise(onto view: SimulatedChain, pushing: Bool) -> [SimulatedNotification] {
        var retractions: [SimulatedNotification] = []
        for index in entries.indices where entries[index].fork != view.fork {
            let entry = entries[index]
            let announced = chain.forked(entry.fork)
            entries[index].fork = view.fork
            guard let divergence = announced.divergence(from: view), divergence <= entry.lastAnnounced else { continue }
            entries[index].lastAnnounced = divergence > 0 ? divergence - 1 : 0
            guard pushing, case .logs(let filter) = entry.kind else { continue }
            let oldest = max(divergence, entry.lastAnnounced >= maxBlocksPerTick ? entry.lastAnnounced - maxBlocksPerTick + 1 : 0)
            for number in oldest...entry.lastAnnounced {
                for var log in announced.logs(inBlock: number) where filter.matches(log) {
                    log.removed = true
                    retractions.append(Self.notification(entry.id, number, log.json))
                }
            }
        }
        return retractions
    }

    private static func notification(_ id: String, _ block: UInt64, _ result: [UInt8]) -> SimulatedNotification {
        SimulatedNotification(subscriptionID: id, blockNumber: block,
                              body: NotificationEnvelope.wrap(result: result, subscription: id))
    }
}
