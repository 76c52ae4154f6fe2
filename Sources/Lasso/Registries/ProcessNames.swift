import Supervision

/// lassod's process names: each named child registers every incarnation, so siblings find each
/// other by name across restarts.
///
/// Lookups read the table under its lock, never a mailbox. The tree's `ProcessRegistry`
/// process (`childSpec`) is the table's `RegistryKeeper`: it removes a name when its process
/// exits, and a restart of it loses no name (the table outlives it; the new incarnation
/// re-monitors every named process).
///
/// Names are `<chain>/<child id>` for chain processes (`ethereum/ProviderPool`) and the child id
/// for application-wide ones (`BenchmarkStore`).
///
/// The typed look-ups of named processes (`benchmarkStore`, `providerPool(chain:)`, …) are
/// extensions beside each process's type, so this table depends on nothing above it.
public final class ProcessNames: Sendable {
    let registry = Registry<String, Void>(keys: .unique)

    public init() {}

    /// The `ProcessRegistry` process.
    public func childSpec() -> ChildSpec {
        RegistryKeeper.childSpec(id: "ProcessRegistry", tables: [registry.keptTable])
    }

    /// The name to put in a `ChildSpec`.
    public func name(_ key: String) -> RegistryName<String> { registry.name(key) }

    /// The running process named `key`, typed as `Server`.
    public func server<Server: GenServer>(_ key: String, as type: Server.Type) -> ServerRef<Server>? {
        registry.whereis(key)?.server(type)
    }

    /// The key of a chain process.
    public static func chainKey(_ chain: String, _ child: String) -> String { "\(chain)/\(child)" }

    /// The dynamic supervisor of the chains, if it runs.
    public var chainsSupervisor: DynamicSupervisor? {
        registry.whereis("ChainsSupervisor").flatMap(DynamicSupervisor.init)
    }
}
