import Synchronization

/// The current config, readable from any thread without I/O and replaced atomically on reload.
///
/// Readers get an immutable `Snapshot` (config plus lookup tables) by taking a lock only long
/// enough to copy one reference, so the hot path never waits on a reload in progress and never
/// sees half of an old config and half of a new one:
///
/// ```swift
/// let store = ConfigStore(try LassoConfig.load(path: "config/chains.yml"))
/// store.chain(named: "1")?.key                                   // "ethereum"
/// store.provider(chain: "ethereum", id: "ethereum_ankr")?.wsURL  // redact before showing
/// store.replace(with: reloaded)                                  // readers switch at once
/// ```
public final class ConfigStore: Sendable {
    /// One config with its chains indexed by key and by decimal chain id.
    public final class Snapshot: Sendable {
        /// The config.
        public let config: LassoConfig
        private let chainIndex: [String: Int]

        /// Indexes `config`.
        public init(_ config: LassoConfig) {
            self.config = config
            var index: [String: Int] = [:]
            for (position, chain) in config.chains.enumerated() {
                index[String(chain.chainId)] = position
            }
            // Keys win over chain ids if they ever collide; validation keeps keys non-numeric anyway.
            for (position, chain) in config.chains.enumerated() {
                index[chain.key] = position
            }
            chainIndex = index
        }

        /// The chain with this key or decimal chain id.
        public func chain(named name: String) -> ChainConfig? {
            chainIndex[name].map { config.chains[$0] }
        }

        /// The provider `id` of the chain named (or numbered) `chain`.
        public func provider(chain: String, id: String) -> ProviderConfig? {
            self.chain(named: chain)?.provider(id: id)
        }
    }

    private let current: Mutex<Snapshot>

    /// Creates a store holding `config`.
    public init(_ config: LassoConfig) {
        current = Mutex(Snapshot(config))
    }

    /// The snapshot in effect now; hold on to it to read several values consistently.
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// The config in effect now.
    public var config: LassoConfig { snapshot.config }

    /// The chain with this key (`ethereum`) or decimal chain id (`1`).
    public func chain(named name: String) -> ChainConfig? {
        snapshot.chain(named: name)
    }

    /// The provider `id` of the chain named (or numbered) `chain`.
    public func provider(chain: String, id: String) -> ProviderConfig? {
        snapshot.provider(chain: chain, id: id)
    }

    /// Makes `config` current for every later read, and returns the snapshot it replaced.
    @discardableResult
    public func replace(with config: LassoConfig) -> Snapshot {
        let next = Snapshot(config)
        return current.withLock { snapshot in
            let previous = snapshot
            snapshot = next
            return previous
        }
    }
}
