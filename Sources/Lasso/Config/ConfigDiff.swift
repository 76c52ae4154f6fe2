/// What a reload changes: chains to start, to stop, and to restart with their new settings.
///
/// A chain is "changed" when anything in its own section differs, and every chain is changed
/// when `circuit_breaker` differs: running breakers were built with the old policy, so a chain
/// takes the new one by restarting. Of the other global sections only `selection` is read live
/// from `CurrentConfig`; `server`, `observability`, `subscriptions` and `benchmarks` are read at
/// start and change nothing here (the reload logs `config.reload.restart_required` for them).
public struct ConfigDiff: Sendable, Equatable, Codable {
    /// Chains only the new config has, in its order.
    public var added: [String]
    /// Chains only the old config has, in its order.
    public var removed: [String]
    /// Chains in both whose settings differ (all of them when `circuit_breaker` differs).
    public var changed: [String]
    /// Chains in both with the same settings: a reload leaves them running.
    public var unchanged: [String]

    /// What changes from `old` to `new`.
    public init(from old: LassoConfig, to new: LassoConfig) {
        let oldChains = Dictionary(old.chains.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(new.chains.map(\.key))
        let breakerPolicyChanged = old.circuitBreaker != new.circuitBreaker
        added = []
        changed = []
        unchanged = []
        for chain in new.chains {
            guard let previous = oldChains[chain.key] else {
                added.append(chain.key)
                continue
            }
            if previous != chain || breakerPolicyChanged { changed.append(chain.key) } else { unchanged.append(chain.key) }
        }
        removed = old.chains.map(\.key).filter { !newKeys.contains($0) }
    }

    /// Whether the reload changes any chain.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}
