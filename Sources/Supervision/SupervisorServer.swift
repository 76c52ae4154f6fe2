/// The process behind `Supervisor`: a GenServer whose state is its ordered children.
///
/// Child exits arrive as `childExited` messages (from monitors), so they queue behind API calls
/// in arrival order exactly like OTP's `'EXIT'` messages. Messages about an old incarnation are
/// recognised by PID and ignored. A failed restart is retried through a message to itself, so
/// calls can run in between; each retry counts toward the restart intensity.
struct SupervisorServer: GenServer, DescribesChildren {
    enum Call: Sendable {
        case startChild(ChildSpec)
        case terminateChild(String)
        case restartChild(String)
        case deleteChild(String)
        case whichChildren
        case countChildren
    }
    typealias Reply = SupervisorReply
    enum Info: Sendable {
        case childExited(pid: PID, reason: ExitReason)
        case retryRestart(id: String)
        case backoffElapsed(id: String)
    }

    let name: String
    let strategy: SupervisorStrategy
    let intensity: RestartIntensity
    private let initialSpecs: [ChildSpec]
    /// In start order.
    private var children: [ChildRecord] = []
    private var restartHistory: [RuntimeInstant] = []

    init(name: String, strategy: SupervisorStrategy, intensity: RestartIntensity, children: [ChildSpec]) {
        self.name = name
        self.strategy = strategy
        self.intensity = intensity
        initialSpecs = children
    }

    // MARK: - Lifecycle

    mutating func initialize(context: ServerContext<Self>) async throws {
        for spec in initialSpecs {
            do {
                if children.contains(where: { $0.id == spec.id }) {
                    throw SupervisorError.failedToStartChild(id: spec.id, reason: "duplicate child id")
                }
                children.append(ChildRecord(spec: spec, process: try await startProcess(spec, context: context)))
                emit(.started, children[children.count - 1], context: context)
            } catch {
                for index in children.indices.reversed() { await stopChild(at: index, context: context) }
                children = []
                if let error = error as? SupervisorError, case .failedToStartChild = error { throw error }
                throw SupervisorError.failedToStartChild(id: spec.id, reason: String(describing: error))
            }
        }
    }

    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        for index in children.indices.reversed() { await stopChild(at: index, context: context) }
    }

    func describe(runtime: Runtime) async -> ProcessDescription {
        var nodes: [TreeSnapshot] = []
        for record in children { nodes.append(await record.snapshot(runtime: runtime)) }
        return ProcessDescription(strategy: strategy.rawValue, children: nodes)
    }

    // MARK: - API

    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> SupervisorReply {
        switch request {
        case .startChild(let spec):
            if let existing = children.first(where: { $0.id == spec.id }) {
                if let process = existing.process { return .failure(.alreadyStarted(process.pid)) }
                return .failure(.alreadyPresent)
            }
            do {
                let process = try await startProcess(spec, context: context)
                children.append(ChildRecord(spec: spec, process: process))
                emit(.started, children[children.count - 1], context: context)
                return .started(process)
            } catch {
                return .failure(Self.startError(error, id: spec.id))
            }

        case .terminateChild(let id):
            guard let index = children.firstIndex(where: { $0.id == id }) else { return .failure(.notFound) }
            await stopChild(at: index, context: context)
            if children[index].spec.restart == .temporary {
                children.remove(at: index)
            } else {
                children[index].status = .stopped
            }
            return .ok

        case .restartChild(let id):
            guard let index = children.firstIndex(where: { $0.id == id }) else { return .failure(.notFound) }
            switch children[index].status {
            case .running: return .failure(.running)
            case .restarting: return .failure(.restarting)
            case .stopped: break
            }
            do {
                let process = try await startProcess(children[index].spec, context: context)
                children[index].process = process
                children[index].status = .running
                emit(.started, children[index], context: context)
                return .started(process)
            } catch {
                return .failure(Self.startError(error, id: id))
            }

        case .deleteChild(let id):
            guard let index = children.firstIndex(where: { $0.id == id }) else { return .failure(.notFound) }
            switch children[index].status {
            case .running: return .failure(.running)
            case .restarting: return .failure(.restarting)
            case .stopped:
                children.remove(at: index)
                return .ok
            }

        case .whichChildren:
            return .children(children.map { $0.info() })

        case .countChildren:
            return .counts(children.counts())
        }
    }

    // MARK: - Exits and restarts

    mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .childExited(let pid, let reason):
            guard let index = children.firstIndex(where: { $0.process?.pid == pid }),
                  let process = children[index].process else { return }
            children[index].process = nil
            context.runtime.events.emit(.exited, supervisor: name, child: children[index].id, pid: pid, reason: reason)
            let spec = children[index].spec
            if spec.restart == .temporary {
                children.remove(at: index)
            } else if spec.restart == .transient && reason.isNormal {
                children[index].status = .stopped
            } else {
                let uptime = context.runtime.clock.now().since(process.core.startedAt)
                if let backoff = spec.backoff {
                    children[index].backoffAttempt = backoff.nextAttempt(previous: children[index].backoffAttempt, uptime: uptime)
                }
                await restart(id: spec.id, context: context)
            }

        case .retryRestart(let id):
            guard children.contains(where: { $0.id == id && $0.status == .restarting }) else { return }
            await restart(id: id, context: context)

        case .backoffElapsed(let id):
            guard children.contains(where: { $0.id == id && $0.status == .restarting }) else { return }
            await performRestart(id: id, context: context)
        }
    }

    /// Counts a restart against the intensity, then restarts now or after the child's backoff.
    private mutating func restart(id: String, context: ServerContext<Self>) async {
        guard let index = children.firstIndex(where: { $0.id == id }) else { return }
        guard intensity.recordRestart(at: context.runtime.clock.now(), in: &restartHistory) else {
            children[index].status = .stopped
            context.runtime.events.emit(.intensityExceeded, supervisor: name,
                                        reason: .shutdown("reached_max_restart_intensity"))
            context.stop(.shutdown("reached_max_restart_intensity"))
            return
        }
        if let backoff = children[index].spec.backoff {
            let delay = backoff.delay(attempt: children[index].backoffAttempt, random: Double.random(in: 0..<1))
            if delay > .zero {
                children[index].status = .restarting
                context.sendAfter(.backoffElapsed(id: id), after: delay)
                return
            }
        }
        await performRestart(id: id, context: context)
    }

    /// Applies the strategy: stops the rest of the group (newest first), then starts the whole
    /// group in order. A start failure marks that child `restarting` and retries it later.
    private mutating func performRestart(id: String, context: ServerContext<Self>) async {
        guard let failedIndex = children.firstIndex(where: { $0.id == id }) else { return }
        let group = strategy.restartGroup(failedIndex: failedIndex, childCount: children.count)
        let groupIDs = group.map { children[$0].id }
        // Temporary siblings are stopped with the group but never restarted (OTP removes them).
        let temporarySiblings = Set(group.filter { $0 != failedIndex && children[$0].spec.restart == .temporary }
            .map { children[$0].id })
        for index in group.reversed() where index != failedIndex {
            await stopChild(at: index, context: context)
        }
        children.removeAll { temporarySiblings.contains($0.id) }
        let restartIDs = groupIDs.filter { !temporarySiblings.contains($0) }
        for (position, childID) in restartIDs.enumerated() {
            guard let index = children.firstIndex(where: { $0.id == childID }) else { continue }
            do {
                let process = try await startProcess(children[index].spec, context: context)
                children[index].process = process
                children[index].status = .running
                children[index].restarts += 1
                emit(.restarted, children[index], context: context)
            } catch {
                children[index].status = .restarting
                for later in restartIDs.dropFirst(position + 1) {
                    if let laterIndex = children.firstIndex(where: { $0.id == later }) { children[laterIndex].status = .stopped }
                }
                context.ref.info(.retryRestart(id: childID))
                return
            }
        }
    }

    // MARK: - Helpers

    private func startProcess(_ spec: ChildSpec, context: ServerContext<Self>) async throws -> ProcessRef {
        let supervisor = context.ref
        return try await ChildLifecycle.start(spec, runtime: context.runtime) { pid, reason in
            supervisor.info(.childExited(pid: pid, reason: reason))
        }
    }

    /// Stops the child at `index` if it runs; it stays in the list with no process.
    private mutating func stopChild(at index: Int, context: ServerContext<Self>) async {
        guard let process = children[index].process else { return }
        children[index].process = nil
        children[index].status = .stopped
        await ChildLifecycle.stop(process, shutdown: children[index].spec.shutdown, childID: children[index].id,
                                  supervisor: name, runtime: context.runtime)
    }

    private func emit(_ kind: SupervisionEvent.Kind, _ record: ChildRecord, context: ServerContext<Self>) {
        context.runtime.events.emit(kind, supervisor: name, child: record.id, pid: record.process?.pid)
    }

    private static func startError(_ error: any Error, id: String) -> SupervisorError {
        if let error = error as? SupervisorError, case .alreadyStarted = error { return error }
        return .startFailed(id: id, reason: String(describing: error))
    }
}
