/// A point-in-time picture of a supervision (sub)tree, for `lassod ctl tree`, `/api` and the
/// dashboard. Encodes to JSON with snake_case keys.
public struct TreeSnapshot: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case supervisor, worker }
    public enum Status: String, Sendable, Codable { case running, restarting, stopped }

    /// The child id in its parent (for the root, the supervisor's name).
    public var name: String
    /// `nil` when not running.
    public var pid: PID?
    public var kind: Kind
    /// For supervisors: `one_for_one`, `one_for_all`, `rest_for_one`, or `dynamic`.
    public var strategy: String?
    public var status: Status
    /// How many times the parent has restarted this child.
    public var restarts: Int
    public var mailboxDepth: Int
    /// Seconds since the current incarnation started; `nil` when not running.
    public var uptimeSeconds: Double?
    public var children: [TreeSnapshot]

    public init(name: String, pid: PID?, kind: Kind, strategy: String?, status: Status, restarts: Int,
                mailboxDepth: Int, uptimeSeconds: Double?, children: [TreeSnapshot]) {
        self.name = name
        self.pid = pid
        self.kind = kind
        self.strategy = strategy
        self.status = status
        self.restarts = restarts
        self.mailboxDepth = mailboxDepth
        self.uptimeSeconds = uptimeSeconds
        self.children = children
    }

    enum CodingKeys: String, CodingKey {
        case name, pid, kind, strategy, status, restarts, children
        case mailboxDepth = "mailbox_depth"
        case uptimeSeconds = "uptime_seconds"
    }

    /// The node at `path` below this one, by child names (`["ChainsSupervisor", "ChainSupervisor(ethereum)"]`).
    public func node(at path: [String]) -> TreeSnapshot? {
        guard let first = path.first else { return self }
        return children.first { $0.name == first }?.node(at: Array(path.dropFirst()))
    }

    /// Every node in this tree, depth first, this one included.
    public var allNodes: [TreeSnapshot] { [self] + children.flatMap(\.allNodes) }

    /// Snapshot of a running process as its parent sees it.
    static func of(_ process: ProcessRef, name: String, kind: Kind, restarts: Int,
                   runtime: Runtime) async -> TreeSnapshot {
        let description = kind == .supervisor ? await process.core.describe() : nil
        return TreeSnapshot(name: name, pid: process.pid, kind: kind, strategy: description?.strategy,
                            status: process.isAlive ? .running : .stopped, restarts: restarts,
                            mailboxDepth: process.mailboxDepth,
                            uptimeSeconds: runtime.clock.now().since(process.core.startedAt).inSeconds,
                            children: description?.children ?? [])
    }
}
