/// The process that keeps `Registry` tables clean: it monitors every process with an entry and
/// removes that process's entries when it exits (the role of an Elixir `Registry`'s partition
/// process; the tables themselves play ETS's part).
///
/// Guarantees:
/// - Lookups never wait for the keeper: they read the table under its lock and skip processes
///   that have exited, whether or not the keeper has caught up with the exit.
/// - Entries live in the tables, not in the keeper, so stopping or killing it loses none. Each
///   incarnation adopts its tables and monitors every process that has an entry; the entries of
///   processes that exited while no keeper ran are removed at once (their monitors report
///   `noProcess`).
/// - A registration made while no keeper runs is watched by the registry itself, so no exit
///   goes unnoticed between incarnations.
///
/// ```swift
/// let names = Registry<String, Void>(keys: .unique)
/// let keeper = RegistryKeeper.childSpec(id: "ProcessRegistry", tables: [names.keptTable])
/// let tree = try await Supervisor.start(name: "Application", children: [keeper], runtime: runtime)
/// // A crash of the keeper restarts it; `names` keeps every entry meanwhile.
/// ```
/// (Compiled and run by `SupervisionTests/DocExampleTests`.)
public struct RegistryKeeper: GenServer {
    /// A registry as the keeper sees it, whatever its key and value types.
    public struct Table: Sendable {
        /// Makes `keeper` the registry's keeper; returns every process that has an entry.
        let adopt: @Sendable (ServerRef<RegistryKeeper>) -> [ProcessRef]
        /// Forgets `keeper`, if it is still the registry's keeper.
        let release: @Sendable (ServerRef<RegistryKeeper>) -> Void
        /// Removes every entry of an exited process.
        let removeAll: @Sendable (PID) -> Void
    }

    public enum Call: Sendable {
        /// How many processes the keeper monitors.
        case watchedCount
    }

    public typealias Reply = Int

    public enum Cast: Sendable {
        /// A process registered: monitor it (once, however many entries it has).
        case watch(ProcessRef)
    }

    let tables: [Table]
    private var watched: [PID: (monitor: MonitorID, process: ProcessRef)] = [:]

    public init(tables: [Table]) {
        self.tables = tables
    }

    /// A permanent worker named `id` that keeps `tables`.
    public static func childSpec(id: String, tables: [Table]) -> ChildSpec {
        ChildSpec(id: id) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) { RegistryKeeper(tables: tables) }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        for table in tables {
            for process in table.adopt(context.ref) { watch(process, context: context) }
        }
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Int {
        watched.count
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        guard case .watch(let process) = message else { return }
        watch(process, context: context)
    }

    public mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {
        guard let entry = watched[down.pid], entry.monitor == down.monitor else { return }
        watched[down.pid] = nil
        for table in tables { table.removeAll(down.pid) }
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        for table in tables { table.release(context.ref) }
        for entry in watched.values { entry.process.demonitor(entry.monitor) }
        watched = [:]
    }

    private mutating func watch(_ process: ProcessRef, context: ServerContext<Self>) {
        guard watched[process.pid] == nil else { return }
        // A process already gone reports `noProcess` through the mailbox, so its `Down` is
        // handled after this entry is recorded.
        let monitor = context.monitor(process)
        watched[process.pid] = (monitor, process)
    }
}
