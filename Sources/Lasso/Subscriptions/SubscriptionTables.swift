import Synchronization

/// The `SubscriptionTable` of every chain, created by `LassoApplication` and kept for its
/// lifetime: a chain's table outlives its processes, its restarts and `restart-chain`, and is
/// dropped only when the chain stops for good (`stop-chain`, a reload that removes it).
public final class SubscriptionTables: Sendable {
    private let tables = Mutex<[String: SubscriptionTable]>([:])

    public init() {}

    /// `chain`'s table, created on first use.
    public func table(_ chain: String) -> SubscriptionTable {
        tables.withLock { tables in
            if let table = tables[chain] { return table }
            let table = SubscriptionTable(chain: chain)
            tables[chain] = table
            return table
        }
    }

    /// `chain`'s table if it has one.
    public func existing(_ chain: String) -> SubscriptionTable? {
        tables.withLock { $0[chain] }
    }

    /// Every table, by chain.
    public var all: [String: SubscriptionTable] { tables.withLock { $0 } }
}
