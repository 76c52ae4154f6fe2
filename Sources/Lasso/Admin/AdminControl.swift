import Supervision

/// What an operator can do to a running lassod: the seam between the admin socket (which
/// parses commands and writes replies) and the tree (which carries them out).
///
/// Every method either succeeds with a result the admin protocol encodes as JSON, or throws an
/// `AdminError` whose description is the reply's `error` text. None of them may show a
/// provider URL.
public protocol AdminControl: Sendable {
    /// The whole supervision tree, rooted at `Application`.
    func tree() async -> TreeSnapshot
    /// Every configured chain with whether it runs now.
    func chains() async -> [AdminChainSummary]
    /// One chain's live status. - Throws: `AdminError.unknownChain`.
    func status(chain: String) async throws -> ChainStatus
    /// Starts a configured chain that is not running.
    /// - Throws: `.unknownChain`, `.chainAlreadyRunning`, `.failed` (it could not start).
    func startChain(_ chain: String) async throws
    /// Stops a running chain, also one that runs though no longer configured (a reload failed
    /// to stop it); a configured chain stays stopped until started again.
    /// - Throws: `.unknownChain`, `.chainNotRunning`, `.failed` (it could not be stopped).
    func stopChain(_ chain: String) async throws
    /// Stops and starts a chain from the current config; a chain that runs though no longer
    /// configured is only stopped, and `.failed` says so. - Throws: `.unknownChain`, `.failed`.
    func restartChain(_ chain: String) async throws
    /// Re-reads the config file: starts added chains, stops removed ones, restarts changed ones.
    /// An invalid file changes nothing. - Throws: `.invalidConfig` with every validation error;
    /// `.failed` when there is no file to re-read or a chain did not follow the new config.
    func reload() async throws -> ConfigDiff
    /// Crashes the process at a tree path such as
    /// `Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool`, so that its
    /// supervisor restarts it. Returns the pid that was killed.
    /// - Throws: `.unknownPath`; `.failed` for the root, which no supervisor would restart.
    func kill(path: String) async throws -> PID
    /// Forces one breaker open, closed, or back to a fresh closed state; returns its new phase.
    /// - Throws: `.unknownChain`, `.unknownProvider`, `.unknownBreaker`; `.chainNotRunning`, or
    ///   `.failed` while the breaker is restarting or does not answer.
    func breaker(chain: String, provider: String, transport: TransportKind, action: BreakerAction) async throws
        -> BreakerPhase
}

/// What `breaker … open|close|reset` asks of a circuit breaker.
public enum BreakerAction: String, Sendable, CaseIterable, Codable {
    /// Hold it open until an operator closes it.
    case open
    /// Close it now, whatever its phase.
    case close
    /// Forget its counters and cooldown, closed.
    case reset
}

/// One line of `chains`: a configured chain and whether it runs.
public struct AdminChainSummary: Sendable, Codable, Equatable {
    /// The chain key.
    public var chain: String
    /// Its EIP-155 chain id (`chain_id`).
    public var chainId: Int
    /// Its display name.
    public var name: String
    /// Whether its `ChainSupervisor` runs now.
    public var running: Bool
    /// Its provider ids, in file order.
    public var providers: [String]

    /// A summary as given.
    public init(chain: String, chainId: Int, name: String, running: Bool, providers: [String]) {
        self.chain = chain
        self.chainId = chainId
        self.name = name
        self.running = running
        self.providers = providers
    }

    enum CodingKeys: String, CodingKey {
        case chain, name, running, providers
        case chainId = "chain_id"
    }
}

extension ChainDirectory {
    /// One line per chain of `config`, in file order, with whether it runs now: what
    /// `GET /api/chains` and `lassod ctl chains` show.
    public func summaries(of config: LassoConfig) -> [AdminChainSummary] {
        config.chains.map { chain in
            AdminChainSummary(chain: chain.key, chainId: chain.chainId, name: chain.name,
                              running: board(for: chain.key) != nil, providers: chain.providers.map(\.id))
        }
    }
}

/// Why an admin command failed; `description` is the reply's `error` text.
public enum AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No chain has this key or chain id.
    case unknownChain(String)
    /// `start-chain` of a chain that runs.
    case chainAlreadyRunning(String)
    /// The chain is configured but does not run.
    case chainNotRunning(String)
    /// The chain has no provider with this id.
    case unknownProvider(chain: String, provider: String)
    /// The provider has no channel, hence no breaker, on this transport.
    case unknownBreaker(chain: String, provider: String, transport: TransportKind)
    /// No process at this tree path (the segment that matched nothing).
    case unknownPath(String)
    /// The config file could not be read or is invalid; one entry per problem.
    case invalidConfig([String])
    /// The tree refused or failed the operation (for example the root cannot be killed).
    case failed(String)

    public var description: String {
        switch self {
        case .unknownChain(let chain): "unknown chain: \(chain)"
        case .chainAlreadyRunning(let chain): "chain already running: \(chain)"
        case .chainNotRunning(let chain): "chain not running: \(chain)"
        case .unknownProvider(let chain, let provider): "unknown provider \(provider) on chain \(chain)"
        case .unknownBreaker(let chain, let provider, let transport):
            "provider \(provider) on chain \(chain) has no \(transport.rawValue) breaker"
        case .unknownPath(let path): "no process at \(path)"
        case .invalidConfig(let problems): "invalid configuration, nothing changed:\n" + problems.joined(separator: "\n")
        case .failed(let why): why
        }
    }
}
