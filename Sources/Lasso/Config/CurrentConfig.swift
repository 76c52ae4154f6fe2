import Synchronization

/// The config in effect now: a table, readable from any thread without I/O and replaced
/// atomically on reload. Its one writer is the `ConfigStore` process (a reload replaces it);
/// everything else only reads it.
///
/// Readers get an immutable `Snapshot` (config plus lookup tables) by taking a lock only long
/// enough to copy one reference, so the hot path never waits on a reload in progress and never
/// sees half of an old config and half of a new one:
///
/// ```swift
/// let configs = CurrentConfig(try LassoConfig.load(path: configPath))
/// let ethereum = configs.chain(named: "1")                                        // by key or chain id: ethereum's ChainConfig
/// let wsURL = configs.provider(chain: "ethereum", id: "ethereum_ankr")?.wsURL    // a secret: redact before showing
/// configs.replace(with: reloaded)                                                 // readers switch at once
/// let scrubbed = configs.snapshot.scrubber.scrub(upstreamError)                   // keys of every provider so far
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
/// Each snapshot carries the `SecretScrubber` for its providers, built once when the snapshot
/// is made, so loggers follow reloads without rebuilding anything per line. It keeps the
/// secrets of the snapshots it replaced too: a chain a reload removed may still be stopping
/// (or failed to stop) and log its old provider's errors, and hiding a retired key costs nothing.
public final class CurrentConfig: Sendable {
    /// One config with its chains indexed by key and by decimal chain id.
    public final class Snapshot: Sendable {
        /// The config.
        public let config: LassoConfig
        /// Removes the secrets of this config's provider URLs, and of every earlier snapshot's.
        public let scrubber: SecretScrubber
        private let chainIndex: [String: Int]

        /// Indexes `config`; its scrubber also removes `earlierSecrets`.
        public init(_ config: LassoConfig, earlierSecrets: [String] = []) {
            self.config = config
            scrubber = SecretScrubber(secrets: SecretScrubber(config: config).secrets + earlierSecrets)
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

    /// A table holding `config`.
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
    /// One writer at a time (the `ConfigStore` process): the new scrubber is built outside the
    /// lock from the snapshot current when the call began.
    @discardableResult
    public func replace(with config: LassoConfig) -> Snapshot {
        let next = Snapshot(config, earlierSecrets: snapshot.scrubber.secrets)
        return current.withLock { snapshot in
            let previous = snapshot
            snapshot = next
            return previous
        }
    }
}
