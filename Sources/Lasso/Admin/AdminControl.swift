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
    /// Starts a configured chain that is not running. - Throws: `.unknownChain`, `.chainAlreadyRunning`.
    func startChain(_ chain: String) async throws
    /// Stops a running chain, also one that runs though no longer configured (a reload failed
    /// to stop it); a configured chain stays stopped until started again.
    /// - Throws: `.unknownChain`, `.chainNotRunning`.
    func stopChain(_ chain: String) async throws
    /// Stops and starts a chain from the current config; a chain that runs though no longer
    /// configured is only stopped, and `.failed` says so. - Throws: `.unknownChain`, `.failed`.
    func restartChain(_ chain: String) async throws
    /// Re-reads the config file: starts added chains, stops removed ones, restarts changed ones.
    /// An invalid file changes nothing. - Throws: `.invalidConfig` with every validation error.
    func reload() async throws -> ConfigDiff
    /// Crashes the process at a tree path such as
    /// `Application/ChainsSupervisor/ChainSupervisor(ethereum)/ProviderPool`, so that its
    /// supervisor restarts it. Returns the pid that was killed. - Throws: `.unknownPath`.
    func kill(path: String) async throws -> PID
    /// Forces one breaker open, closed, or back to a fresh closed state; returns its new phase.
    /// - Throws: `.unknownChain`, `.unknownProvider`, `.unknownBreaker`.
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
    public var chain: String
    public var chainId: Int
    public var name: String
    public var running: Bool
    public var providers: [String]

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

/// Why an admin command failed; `description` is the reply's `error` text.
public enum AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownChain(String)
    case chainAlreadyRunning(String)
    case chainNotRunning(String)
    case unknownProvider(chain: String, provider: String)
    case unknownBreaker(chain: String, provider: String, transport: TransportKind)
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
