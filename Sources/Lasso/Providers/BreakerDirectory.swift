import Supervision

/// Finds the running `CircuitBreaker` process of a channel. Each breaker registers itself when
/// it starts, so after a restart the directory names the new process. The tree's `Registry`
/// process keeps the table clean (see `RegistryKeeper`).
public final class BreakerDirectory: Sendable {
    public struct Key: Hashable, Sendable {
        public var chain: String
        public var channel: Channel
        public init(chain: String, channel: Channel) {
            self.chain = chain
            self.channel = channel
        }
    }

    private let registry = Registry<Key, Void>(keys: .unique)

    public init() {}

    /// The table, for the `Registry` process.
    public var keptTable: RegistryKeeper.Table { registry.keptTable }

    func register(_ key: Key, process: ProcessRef) throws {
        try registry.register(key, value: (), process: process)
    }

    /// The breaker of `channel` on `chain`, if it runs.
    public func breaker(chain: String, channel: Channel) -> ServerRef<CircuitBreaker>? {
        registry.lookup(Key(chain: chain, channel: channel)).first?.process.server(CircuitBreaker.self)
    }
}
