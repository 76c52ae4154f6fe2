/// Implemented by the two supervisor servers, `SupervisorServer` and `DynamicSupervisorServer`:
/// what they answer alike — the children they hold and a description for `TreeSnapshot` — is
/// written once, here. Only supervisors are asked to describe themselves, so a busy worker
/// cannot stall `lassod ctl tree`.
protocol Supervising: GenServer where Info == SupervisorMessage<ChildKey> {
    /// How the supervisor finds a child: its id, or a slot number.
    associatedtype ChildKey: Sendable
    /// `one_for_one`, `one_for_all`, `rest_for_one` or `dynamic`.
    var strategyName: String { get }
    /// Every child the supervisor holds, in start order.
    var childRecords: [ChildRecord] { get }
}

extension Supervising {
    /// The strategy and a snapshot of every child, for the supervisor's node in a `TreeSnapshot`.
    func describe(runtime: Runtime) async -> ProcessDescription {
        var nodes: [TreeSnapshot] = []
        for record in childRecords { nodes.append(await record.snapshot(runtime: runtime)) }
        return ProcessDescription(strategy: strategyName, children: nodes)
    }
}

extension ServerCall where Server: Supervising {
    /// Every child spec, in start order (`whichChildren`).
    static var whichChildren: ServerCall<Server, [ChildInfo]> {
        .init { supervisor, _ in supervisor.childRecords.map { $0.info() } }
    }

    /// Specs, running children, supervisors and workers (`countChildren`).
    static var countChildren: ServerCall<Server, ChildCounts> {
        .init { supervisor, _ in supervisor.childRecords.counts() }
    }
}

extension ServerRef where Server: Supervising {
    /// OTP calls supervisors with an infinite timeout; a day stands in for it.
    static var supervisorCallTimeout: Duration { .seconds(86_400) }

    /// A call to the supervisor; a supervisor that does not answer surfaces as
    /// `SupervisorError.call`.
    func supervisorCall<Reply>(_ call: ServerCall<Server, Reply>) async throws(SupervisorError) -> Reply {
        do {
            return try await self.call(call, timeout: Self.supervisorCallTimeout)
        } catch {
            throw .call(error)
        }
    }

    /// Stops every child, then the supervisor; returns its exit reason.
    func stopSupervisor() async -> ExitReason {
        core.requestStop(.shutdown(nil))
        return await core.waitForExit()
    }

    /// The tree rooted at this supervisor, named `name`.
    func supervisorSnapshot(name: String) async -> TreeSnapshot {
        await TreeSnapshot.of(process, name: name, kind: .supervisor, restarts: 0, runtime: core.runtime)
    }
}

extension ServerContext where Server: Supervising {
    /// Ends a supervisor whose restarts exceeded its intensity: reports it, and stops the
    /// supervisor once the current handler returns (its `terminate` stops the children).
    func giveUp(supervisor name: String) {
        runtime.events.emit(.intensityExceeded, supervisor: name, reason: RestartDecision.giveUpReason)
        stop(RestartDecision.giveUpReason)
    }

    /// Decides about the exit of a child that was running as `process` (see `RestartDecision`).
    func decideAfterExit(of record: inout ChildRecord, process: ProcessRef, reason: ExitReason,
                         window: inout RestartWindow) -> RestartDecision {
        let now = runtime.clock.now()
        return RestartDecision.afterExit(restart: record.spec.restart, reason: reason,
                                         uptime: now.since(process.core.startedAt), backoff: record.spec.backoff,
                                         attempt: &record.backoffAttempt, window: &window, now: now,
                                         random: { Double.random(in: 0..<1) })
    }

    /// Decides about a restart of `record` that is due again after a failed start.
    func decideRetry(of record: ChildRecord, window: inout RestartWindow) -> RestartDecision {
        RestartDecision.retry(backoff: record.spec.backoff, attempt: record.backoffAttempt, window: &window,
                              now: runtime.clock.now(), random: { Double.random(in: 0..<1) })
    }

    /// Starts `spec` as a child whose exit comes back to this supervisor as `childExited`.
    func startChild(_ spec: ChildSpec) async throws -> ProcessRef {
        let supervisor = ref
        return try await ChildLifecycle.start(spec, runtime: runtime) { pid, reason in
            supervisor.info(.childExited(pid: pid, reason: reason))
        }
    }

    /// Starts `spec` for an API call (`startChild`, `restartChild`): the process, or the error
    /// the call answers.
    func startChildForCall(_ spec: ChildSpec) async -> Result<ProcessRef, SupervisorError> {
        do {
            return .success(try await startChild(spec))
        } catch {
            return .failure(.startError(id: spec.id, error))
        }
    }

    /// Reports `kind` for `record` (started or restarted), with its current process.
    func emit(_ kind: SupervisionEvent.Kind, _ record: ChildRecord, supervisor name: String) {
        runtime.events.emit(kind, supervisor: name, child: record.id, pid: record.process?.pid)
    }
}
