import Supervision
import LassoTransport

/// `ClientSubscriptionRegistry(<chain>)`: the keeper of the chain's `SubscriptionTable`, as
/// `RegistryKeeper` is for a `Registry`. Clients write the table directly (through
/// `ClientWebSocketEndpoint`); this process makes sure every key that has clients has a
/// `StreamCoordinator` serving it, started under the chain's `StreamSupervisor`:
/// - when it starts (after a crash, a kill or `restart-chain`, every key in the table gets one
///   again, and streams resume where the table says they were);
/// - when a client subscribes to a key that has none (`keyAdded`);
/// - when the `StreamSupervisor` restarted with no children (`reconcile`);
/// - and every `retryInterval` while some key still has none (a start that failed, a hint lost
///   while this process was down).
///
/// It holds no client state of its own, so its restarts change nothing for the streams.
public struct ClientSubscriptionRegistry: GenServer {
    public enum Cast: Sendable {
        /// A key got a client and has no coordinator.
        case keyAdded(SubscriptionKey)
        /// The chain's `StreamSupervisor` (re)started with no children.
        case reconcile(DynamicSupervisor)
    }

    public enum Info: Sendable {
        case retry
    }

    public enum Call: Sendable {
        /// Subscription ids of a connection (every connection's when nil), sorted.
        case subscriptions(WebSocketConnectionID?)
    }

    public typealias Reply = [String]

    /// How often keys without a coordinator are looked at again, while there are any.
    public static let retryInterval: Duration = .seconds(1)

    let chain: String
    let names: ProcessNames
    let table: SubscriptionTable
    /// Builds the coordinator of a key.
    let coordinator: @Sendable (SubscriptionKey) -> ChildSpec
    private var retryTimer: TimerHandle?

    init(chain: String, names: ProcessNames, table: SubscriptionTable,
         coordinator: @escaping @Sendable (SubscriptionKey) -> ChildSpec) {
        self.chain = chain
        self.names = names
        self.table = table
        self.coordinator = coordinator
    }

    /// The registered name, for `ProcessNames`.
    public static func processKey(chain: String) -> String {
        ProcessNames.chainKey(chain, "ClientSubscriptionRegistry")
    }

    /// The running registry of `chain`, if any.
    public static func running(chain: String, names: ProcessNames) -> ServerRef<ClientSubscriptionRegistry>? {
        names.server(processKey(chain: chain), as: ClientSubscriptionRegistry.self)
    }

    static func childSpec(chain: String, names: ProcessNames, table: SubscriptionTable,
                          coordinator: @escaping @Sendable (SubscriptionKey) -> ChildSpec) -> ChildSpec {
        ChildSpec(id: "ClientSubscriptionRegistry", name: names.name(processKey(chain: chain))) { runtime in
            try await ServerRef.start(label: "ClientSubscriptionRegistry(\(chain))", runtime: runtime) {
                ClientSubscriptionRegistry(chain: chain, names: names, table: table, coordinator: coordinator)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        await startMissing(StreamSupervisor.running(chain: chain, names: names), context: context)
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> [String] {
        guard case .subscriptions(let connection) = request else { return [] }
        return table.subscriptionIDs(of: connection)
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .keyAdded:
            await startMissing(StreamSupervisor.running(chain: chain, names: names), context: context)
        case .reconcile(let supervisor):
            await startMissing(supervisor, context: context)
        }
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        retryTimer = nil
        await startMissing(StreamSupervisor.running(chain: chain, names: names), context: context)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        retryTimer?.cancel()
    }

    /// Starts a coordinator for every key that has clients and none running; a coordinator that
    /// finds its key served already stops at once, so a double start is harmless.
    private mutating func startMissing(_ supervisor: DynamicSupervisor?, context: ServerContext<Self>) async {
        let missing = table.keysNeedingCoordinator()
        if let supervisor {
            for key in missing { _ = try? await supervisor.startChild(coordinator(key)) }
        }
        guard retryTimer == nil, !table.keysNeedingCoordinator().isEmpty else { return }
        retryTimer = context.sendAfter(.retry, after: Self.retryInterval)
    }
}
