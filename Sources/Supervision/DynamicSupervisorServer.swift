/// The process behind `DynamicSupervisor`: children keyed by a stable slot number, found by PID.
///
/// One strategy (one for one), no children at start, no ordering among children (snapshots list
/// them in start order for readability). Shutdown asks every child at once and waits for each
/// until its own deadline, so a large population stops in parallel.
struct DynamicSupervisorServer: GenServer, DescribesChildren {
    enum Call: Sendable {
        case startChild(ChildSpec)
        case terminateChild(PID)
        case whichChildren
        case countChildren
    }
    typealias Reply = SupervisorReply
    enum Info: Sendable {
        case childExited(pid: PID, reason: ExitReason)
        case retryRestart(slot: UInt64)
        case backoffElapsed(slot: UInt64)
    }

    let name: String
    let intensity: RestartIntensity
    let maxChildren: Int?
    private var children: [UInt64: ChildRecord] = [:]
    private var slotByPID: [PID: UInt64] = [:]
    private var nextSlot: UInt64 = 0
    private var restartHistory: [RuntimeInstant] = []

    init(name: String, intensity: RestartIntensity, maxChildren: Int?) {
        self.name = name
        self.intensity = intensity
        self.maxChildren = maxChildren
    }

    private var orderedRecords: [ChildRecord] { children.sorted { $0.key < $1.key }.map(\.value) }

    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> SupervisorReply {
        switch request {
        case .startChild(let spec):
            if let maxChildren, children.count >= maxChildren { return .failure(.maxChildren) }
            do {
                let process = try await startProcess(spec, context: context)
                let slot = nextSlot
                nextSlot += 1
                children[slot] = ChildRecord(spec: spec, process: process)
                slotByPID[process.pid] = slot
                context.runtime.events.emit(.started, supervisor: name, child: spec.id, pid: process.pid)
                return .started(process)
            } catch {
                if let error = error as? SupervisorError, case .alreadyStarted = error { return .failure(error) }
                return .failure(.startFailed(id: spec.id, reason: String(describing: error)))
            }

        case .terminateChild(let pid):
            guard let slot = slotByPID.removeValue(forKey: pid), let record = children.removeValue(forKey: slot),
                  let process = record.process else { return .failure(.notFound) }
            await ChildLifecycle.stop(process, shutdown: record.spec.shutdown, childID: record.id,
                                      supervisor: name, runtime: context.runtime)
            return .ok

        case .whichChildren:
            return .children(orderedRecords.map { $0.info() })

        case .countChildren:
            return .counts(orderedRecords.counts())
        }
    }

    mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .childExited(let pid, let reason):
            guard let slot = slotByPID.removeValue(forKey: pid), var record = children[slot],
                  let process = record.process else { return }
            record.process = nil
            context.runtime.events.emit(.exited, supervisor: name, child: record.id, pid: pid, reason: reason)
            if record.spec.restart == .temporary || (record.spec.restart == .transient && reason.isNormal) {
                children[slot] = nil
                return
            }
            if let backoff = record.spec.backoff {
                let uptime = context.runtime.clock.now().since(process.core.startedAt)
                record.backoffAttempt = backoff.nextAttempt(previous: record.backoffAttempt, uptime: uptime)
            }
            record.status = .restarting
            children[slot] = record
            await restart(slot: slot, context: context)

        case .retryRestart(let slot):
            guard children[slot]?.status == .restarting else { return }
            await restart(slot: slot, context: context)

        case .backoffElapsed(let slot):
            guard children[slot]?.status == .restarting else { return }
            await start(slot: slot, context: context)
        }
    }

    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        let running = orderedRecords.compactMap { record in
            record.process.map { (process: $0, shutdown: record.spec.shutdown, childID: record.id) }
        }
        children = [:]
        slotByPID = [:]
        await ChildLifecycle.stopAll(running, supervisor: name, runtime: context.runtime)
    }

    func describe(runtime: Runtime) async -> ProcessDescription {
        var nodes: [TreeSnapshot] = []
        for record in orderedRecords { nodes.append(await record.snapshot(runtime: runtime)) }
        return ProcessDescription(strategy: "dynamic", children: nodes)
    }

    private mutating func restart(slot: UInt64, context: ServerContext<Self>) async {
        guard intensity.recordRestart(at: context.runtime.clock.now(), in: &restartHistory) else {
            children[slot] = nil
            context.runtime.events.emit(.intensityExceeded, supervisor: name,
                                        reason: .shutdown("reached_max_restart_intensity"))
            context.stop(.shutdown("reached_max_restart_intensity"))
            return
        }
        if let record = children[slot], let backoff = record.spec.backoff {
            let delay = backoff.delay(attempt: record.backoffAttempt, random: Double.random(in: 0..<1))
            if delay > .zero {
                context.sendAfter(.backoffElapsed(slot: slot), after: delay)
                return
            }
        }
        await start(slot: slot, context: context)
    }

    private mutating func start(slot: UInt64, context: ServerContext<Self>) async {
        guard var record = children[slot] else { return }
        do {
            let process = try await startProcess(record.spec, context: context)
            record.process = process
            record.status = .running
            record.restarts += 1
            children[slot] = record
            slotByPID[process.pid] = slot
            context.runtime.events.emit(.restarted, supervisor: name, child: record.id, pid: process.pid)
        } catch {
            context.ref.info(.retryRestart(slot: slot))
        }
    }

    private func startProcess(_ spec: ChildSpec, context: ServerContext<Self>) async throws -> ProcessRef {
        let supervisor = context.ref
        return try await ChildLifecycle.start(spec, runtime: context.runtime) { pid, reason in
            supervisor.info(.childExited(pid: pid, reason: reason))
        }
    }
}
