/// When a child is restarted after it exits.
public enum RestartType: String, Sendable, Codable {
    /// Always restarted, even after a normal exit.
    case permanent
    /// Restarted only after an abnormal exit (not `normal` or `shutdown`); otherwise its spec
    /// stays, not running.
    case transient
    /// Never restarted; its spec is removed when it exits.
    case temporary
}

/// How a supervisor stops a child.
public enum Shutdown: Sendable, Equatable {
    /// Recorded as killed at once; its task is cancelled and abandoned.
    case brutalKill
    /// Asked to stop; if still running after the timeout, abandoned and recorded as `killed`.
    case timeout(Duration)
    /// Asked to stop, and waited for however long it takes (the default for supervisors).
    case infinity
}

/// Worker or supervisor: decides the default shutdown and whether the tree descends into it.
public enum ChildKind: String, Sendable, Codable {
    case worker
    case supervisor
}

/// How to start one child, and what its supervisor does when it exits.
///
/// ```swift
/// let spec = ChildSpec(id: "Counter", restart: .permanent) { runtime in
///     try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }.process
/// }
/// ```
/// (`Counter` is `GenServer`'s example; this one is compiled and run by `SupervisionTests/DocExampleTests`.)
public struct ChildSpec: Sendable {
    /// Unique among its siblings; the name in `TreeSnapshot`.
    public var id: String
    public var restart: RestartType
    public var shutdown: Shutdown
    public var kind: ChildKind
    /// `nil`: restart at once (OTP's behaviour).
    public var backoff: RestartBackoff?
    /// Registers every incarnation under a name, so the name resolves to the new process after
    /// a restart (`Registry.name(_:)`).
    public var name: (any ProcessNaming)?
    /// Starts the child and returns once it has initialised. It runs inside the supervisor, so
    /// the supervisor handles nothing else meanwhile (OTP's synchronous start).
    public var start: @Sendable (Runtime) async throws -> ProcessRef

    public init(id: String, restart: RestartType = .permanent, shutdown: Shutdown? = nil,
                kind: ChildKind = .worker, backoff: RestartBackoff? = nil, name: (any ProcessNaming)? = nil,
                start: @escaping @Sendable (Runtime) async throws -> ProcessRef) {
        self.id = id
        self.restart = restart
        self.kind = kind
        self.shutdown = shutdown ?? (kind == .supervisor ? .infinity : .timeout(.seconds(5)))
        self.backoff = backoff
        self.name = name
        self.start = start
    }
}

/// Binds a process to a name each time it starts (implemented by `RegistryName`).
public protocol ProcessNaming: Sendable {
    /// Binds `process`; throws `SupervisorError.alreadyStarted` if a live process holds the name.
    func bind(_ process: ProcessRef) throws
}
