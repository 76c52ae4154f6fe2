import Supervision

/// `TransportRegistry`: one chain's channel discovery — which channels (provider × http|ws) can
/// be reached now, kept on the chain's `ChainStateBoard`, the one place selection and attempts
/// read it from.
///
/// HTTP channels exist for every configured provider, routed to the URL the board parsed when
/// the chain started. A WebSocket channel exists while its provider's `WSConnection` is
/// connected: the connection publishes itself on the board when it connects and withdraws
/// itself when it drops or stops. What no connection can report is its own kill: this process
/// watches every connection on the board and withdraws the channel of one that exits without
/// a word — the role a `RegistryKeeper` plays for the name tables.
///
/// A restart loses nothing: the channels live on the board, not here. Each incarnation adopts
/// the board, watches every connection published there, and withdraws at once the channels of
/// those that died while no registry ran (their monitors report `noProcess`).
///
/// ```swift
/// let board = ChainStateBoard(chain: ethereum)
/// let registry = TransportRegistry.childSpec(chain: ethereum, board: board)
/// // WSConnection(alpha) connects → board.publish(webSocket:provider:) → alpha/ws is a candidate;
/// // it is killed → the registry's monitor withdraws alpha/ws.
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct TransportRegistry: GenServer {
    public enum Cast: Sendable {
        /// `provider`'s connection, carried by `process`, was published on the board: watch it.
        case watch(provider: String, process: ProcessRef)
    }

    let chain: ChainConfig
    let board: ChainStateBoard
    /// What this incarnation watches, by monitor.
    private var watched: [MonitorID: (provider: String, process: ProcessRef)] = [:]

    public init(chain: ChainConfig, board: ChainStateBoard) {
        self.chain = chain
        self.board = board
    }

    /// The child spec.
    public static func childSpec(chain: ChainConfig, board: ChainStateBoard) -> ChildSpec {
        ChildSpec(id: "TransportRegistry") { runtime in
            try await ServerRef.start(label: "TransportRegistry(\(chain.key))", runtime: runtime) {
                TransportRegistry(chain: chain, board: board)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        for (provider, process) in board.adopt(keeper: context.ref) {
            watch(provider, process, context: context)
        }
    }

    public mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        guard case .watch(let provider, let process) = message else { return }
        watch(provider, process, context: context)
    }

    public mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {
        guard let gone = watched.removeValue(forKey: down.monitor) else { return }
        board.withdrawWebSocket(provider: gone.provider, ifPublishedBy: gone.process.pid)
    }

    public mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        board.release(keeper: context.ref)
        for (monitor, entry) in watched { entry.process.demonitor(monitor) }
    }

    /// Monitors `process` once, however often it is published.
    private mutating func watch(_ provider: String, _ process: ProcessRef, context: ServerContext<Self>) {
        guard !watched.values.contains(where: { $0.process == process }) else { return }
        watched[context.monitor(process)] = (provider, process)
    }
}
