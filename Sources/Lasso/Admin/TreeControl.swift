import Supervision

/// The `AdminControl` of a running lassod: carries admin commands out on its supervision tree.
///
/// Placeholder so the admin socket compiles on its own branch: every operation fails with
/// `AdminError.failed`. The real implementation replaces this file when the branches merge.
public final class TreeControl: AdminControl {
    /// Controls `application`; `reload` re-reads `configPath`.
    public init(application: LassoApplication, configPath: String) {}

    private var unavailable: AdminError { .failed("tree control is not available in this build") }

    public func tree() async -> TreeSnapshot {
        TreeSnapshot(name: "Application", pid: nil, kind: .supervisor, strategy: "one_for_one", status: .stopped,
                     restarts: 0, mailboxDepth: 0, uptimeSeconds: nil, children: [])
    }

    public func chains() async -> [AdminChainSummary] { [] }

    public func status(chain: String) async throws -> ChainStatus { throw unavailable }

    public func startChain(_ chain: String) async throws { throw unavailable }

    public func stopChain(_ chain: String) async throws { throw unavailable }

    public func restartChain(_ chain: String) async throws { throw unavailable }

    public func reload() async throws -> ConfigDiff { throw unavailable }

    public func kill(path: String) async throws -> PID { throw unavailable }

    public func breaker(chain: String, provider: String, transport: TransportKind, action: BreakerAction) async throws
        -> BreakerPhase { throw unavailable }
}
