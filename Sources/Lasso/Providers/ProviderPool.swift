import Supervision

/// The supervised process that tracks each provider of one chain: availability, head, lag,
/// consecutive failures and last error.
///
/// Probe results arrive as casts (from `ProviderHealthMonitor`); heads are published to the
/// chain's `ChainStateBoard` so selection can skip providers that lag. Status queries are calls.
/// When a probe changes a provider's availability, a `provider.availability` message goes out
/// on the chain's `PubSub` topic.
/// The pool's state is rebuilt from probes after a restart: nothing here needs to survive one.
public struct ProviderPool: GenServer {
    public enum Call: Sendable {
        case status
    }

    public enum Cast: Sendable {
        case probeSucceeded(provider: String, head: UInt64, atMs: UInt64)
        /// A probe failed; `verdict` is why (shown as its label in `lastError`).
        case probeFailed(provider: String, verdict: ErrorClassification, atMs: UInt64)
    }

    public typealias Reply = [ProviderStatus]

    private struct Record {
        var head: UInt64?
        var consecutiveFailures = 0
        var lastError: ErrorClassification?
        var lastProbeMs: UInt64?
    }

    let chain: String
    let board: ChainStateBoard
    let pubsub: PubSub?
    let lagThreshold: UInt64
    /// In configuration order.
    private let providerIDs: [String]
    private var records: [String: Record]

    public init(chain: ChainConfig, board: ChainStateBoard, pubsub: PubSub? = nil) {
        self.chain = chain.key
        self.board = board
        self.pubsub = pubsub
        lagThreshold = UInt64(max(0, chain.monitoring.lagThresholdBlocks))
        providerIDs = chain.providers.map(\.id)
        records = Dictionary(uniqueKeysWithValues: providerIDs.map { ($0, Record()) })
    }

    /// The child spec; each incarnation registers in `names` (`names.providerPool(chain:)`).
    public static func childSpec(chain: ChainConfig, board: ChainStateBoard, names: ProcessNames,
                                 pubsub: PubSub? = nil) -> ChildSpec {
        ChildSpec(id: "ProviderPool", name: names.name(ProcessNames.chainKey(chain.key, "ProviderPool"))) { runtime in
            try await ServerRef.start(label: "ProviderPool(\(chain.key))", runtime: runtime) {
                ProviderPool(chain: chain, board: board, pubsub: pubsub)
            }.process
        }
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> [ProviderStatus] {
        statuses()
    }

    private func statuses() -> [ProviderStatus] {
        let best = records.values.compactMap(\.head).max()
        return providerIDs.compactMap { id in
            guard let record = records[id] else { return nil }
            let lag = record.head.flatMap { head in best.map { $0 > head ? $0 - head : 0 } }
            return ProviderStatus(
                id: id,
                availability: .classify(consecutiveFailures: record.consecutiveFailures, lag: lag,
                                        lagThreshold: lagThreshold, probed: record.lastProbeMs != nil,
                                        everAnswered: record.head != nil),
                head: record.head, lag: lag, consecutiveFailures: record.consecutiveFailures,
                lastError: record.lastError?.label, lastProbeMs: record.lastProbeMs)
        }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        let before = pubsub == nil ? [] : statuses()
        apply(message)
        guard let pubsub else { return }
        // One provider's probe can change another's lag, so every provider is compared.
        for (old, new) in zip(before, statuses()) where old.availability != new.availability {
            pubsub.publish(PubSub.Message(topic: PubSub.topic(chain: chain), event: "provider.availability", fields: [
                "chain": chain, "provider": new.id, "from": old.availability.rawValue, "to": new.availability.rawValue,
            ]))
        }
    }

    private mutating func apply(_ message: Cast) {
        switch message {
        case .probeSucceeded(let provider, let head, let atMs):
            guard records[provider] != nil else { return }
            records[provider]?.head = head
            records[provider]?.consecutiveFailures = 0
            records[provider]?.lastProbeMs = atMs
            board.publish(head: head, provider: provider)
        case .probeFailed(let provider, let verdict, let atMs):
            guard records[provider] != nil else { return }
            records[provider]?.consecutiveFailures += 1
            records[provider]?.lastError = verdict
            records[provider]?.lastProbeMs = atMs
        }
    }
}

extension ProcessNames {
    /// The provider pool of `chain`, if it runs.
    public func providerPool(chain: String) -> ServerRef<ProviderPool>? {
        server(Self.chainKey(chain, "ProviderPool"), as: ProviderPool.self)
    }
}
