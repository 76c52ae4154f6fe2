/// The process behind `DynamicSupervisor`: children keyed by a stable slot number, found by PID.
///
/// One strategy (one for one), no children at start, no ordering among children (snapshots list
/// them in start order for readability). What an exit leads to is `RestartDecision`'s to say,
/// as for `SupervisorServer`, except that a child left down is always removed: a dynamic
/// supervisor keeps no spec that is not running or restarting. Shutdown asks every child at once
/// and waits for each until its own deadline, so a large population stops in parallel.
struct DynamicSupervisorServer: Supervising {
    /// Children are found by slot.
    typealias ChildKey = UInt64
    typealias Info = SupervisorMessage<UInt64>

    let name: String
    let maxChildren: Int?
    private var children: [UInt64: ChildRecord] = [:]
    private var slotByPID: [PID: UInt64] = [:]
    private var nextSlot: UInt64 = 0
    private var window: RestartWindow

    init(name: String, intensity: RestartIntensity, maxChildren: Int?) {
        self.name = name
        window = RestartWindow(intensity)
        self.maxChildren = maxChildren
    }

    var strategyName: String { "dynamic" }
    var childRecords: [ChildRecord] { children.sorted { $0.key < $1.key }.map(\.value) }

    // MARK: - API

    mutating func startChild(_ spec: ChildSpec, context: ServerContext<Self>) async -> Result<ProcessRef, SupervisorError> {
        if let maxChildren, children.count >= maxChildren { return .failure(.maxChildren) }
        let started = await context.startChildForCall(spec)
        if case .success(let process) = started {
            let record = ChildRecord(spec: spec, process: process)
            children[nextSlot] = record
            slotByPID[process.pid] = nextSlot
            nextSlot += 1
            context.emit(.started, record, supervisor: name)
        }
        return started
    }

    mutating func terminateChild(_ pid: PID, context: ServerContext<Self>) async -> Result<Void, SupervisorError> {
        guard let slot = slotByPID.removeValue(forKey: pid), var record = children.removeValue(forKey: slot),
              record.process != nil else { return .failure(.notFound) }
        await record.lifecycle.stop(shutdown: record.spec.shutdown, childID: record.id, supervisor: name,
                                    runtime: context.runtime)
        return .success(())
    }

    /// Asks every child at once, in PID order: the order in which OTP's `simple_one_for_one`
    /// signals its children (kept in a map keyed by pid), so that a trace's `stop` lines match.
    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        let running = children.values.compactMap { record in
            record.process.map { (process: $0, shutdown: record.spec.shutdown, childID: record.id) }
        }.sorted { $0.process.pid < $1.process.pid }
        children = [:]
        slotByPID = [:]
        await ChildLifecycle.stopAll(running, supervisor: name, runtime: context.runtime)
    }

    // MARK: - Exits and restarts

    mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .childExited(let pid, let reason):
            guard let slot = slotByPID.removeValue(forKey: pid), var record = children[slot],
                  let process = record.process else { return }
            record.lifecycle = .restarting
            context.runtime.events.emit(.exited, supervisor: name, child: record.id, pid: pid, reason: reason)
            let decision = context.decideAfterExit(of: &record, process: process, reason: reason, window: &window)
            children[slot] = record
            await carryOut(decision, slot: slot, context: context)

        case .retryRestart(let slot):
            guard let record = children[slot], case .restarting = record.lifecycle else { return }
            await carryOut(context.decideRetry(of: record, window: &window), slot: slot, context: context)

        case .backoffElapsed(let slot):
            guard let record = children[slot], case .restarting = record.lifecycle else { return }
            await start(slot: slot, context: context)
        }
    }

    /// Does what `decision` says for the child in `slot`, which is `restarting`.
    private mutating func carryOut(_ decision: RestartDecision, slot: UInt64, context: ServerContext<Self>) async {
        switch decision {
        case .leave:
            children[slot] = nil
        case .giveUp:
            children[slot] = nil
            context.giveUp(supervisor: name)
        case .restartLater(let delay):
            context.sendAfter(.backoffElapsed(slot), after: delay)
        case .restartNow:
            await start(slot: slot, context: context)
        }
    }

    private mutating func start(slot: UInt64, context: ServerContext<Self>) async {
        guard var record = children[slot] else { return }
        do {
            let process = try await context.startChild(record.spec)
            record.lifecycle = .running(process)
            record.restarts += 1
            children[slot] = record
            slotByPID[process.pid] = slot
            context.emit(.restarted, record, supervisor: name)
        } catch {
            context.ref.info(.retryRestart(slot))
        }
    }
}

extension ServerCall where Server == DynamicSupervisorServer {
    static func startChild(_ spec: ChildSpec) -> ServerCall<DynamicSupervisorServer, Result<ProcessRef, SupervisorError>> {
        .init { supervisor, context in await supervisor.startChild(spec, context: context) }
    }

    static func terminateChild(_ pid: PID) -> ServerCall<DynamicSupervisorServer, Result<Void, SupervisorError>> {
        .init { supervisor, context in await supervisor.terminateChild(pid, context: context) }
    }
}
