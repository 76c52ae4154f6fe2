/// The process behind `Supervisor`: a GenServer whose state is its ordered children.
///
/// Child exits arrive as `childExited` messages (from monitors), so they queue behind API calls
/// in arrival order exactly like OTP's `'EXIT'` messages. Messages about an old incarnation are
/// recognised by PID and ignored. What an exit leads to is `RestartDecision`'s to say; this type
/// carries it out with its strategy. A failed restart is retried through a message to itself,
/// so calls can run in between; each retry counts toward the restart intensity.
struct SupervisorServer: Supervising {
    /// Children are found by id.
    typealias ChildKey = String
    typealias Info = SupervisorMessage<String>

    let name: String
    let strategy: SupervisorStrategy
    private let initialSpecs: [ChildSpec]
    /// In start order.
    private var children: [ChildRecord] = []
    private var window: RestartWindow

    init(name: String, strategy: SupervisorStrategy, intensity: RestartIntensity, children: [ChildSpec]) {
        self.name = name
        self.strategy = strategy
        window = RestartWindow(intensity)
        initialSpecs = children
    }

    var strategyName: String { strategy.rawValue }
    var childRecords: [ChildRecord] { children }

    // MARK: - Lifecycle

    mutating func initialize(context: ServerContext<Self>) async throws {
        for spec in initialSpecs {
            do {
                if children.contains(where: { $0.id == spec.id }) {
                    throw SupervisorError.failedToStartChild(id: spec.id, reason: "duplicate child id")
                }
                children.append(ChildRecord(spec: spec, process: try await context.startChild(spec)))
                context.emit(.started, children[children.count - 1], supervisor: name)
            } catch {
                await stopAll(context: context)
                children = []
                if let error = error as? SupervisorError, case .failedToStartChild = error { throw error }
                throw SupervisorError.failedToStartChild(id: spec.id, reason: String(describing: error))
            }
        }
    }

    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        await stopAll(context: context)
    }

    // MARK: - API

    mutating func startChild(_ spec: ChildSpec, context: ServerContext<Self>) async -> Result<ProcessRef, SupervisorError> {
        if let existing = children.first(where: { $0.id == spec.id }) {
            if let process = existing.process { return .failure(.alreadyStarted(process.pid)) }
            return .failure(.alreadyPresent)
        }
        let started = await context.startChildForCall(spec)
        if case .success(let process) = started {
            children.append(ChildRecord(spec: spec, process: process))
            context.emit(.started, children[children.count - 1], supervisor: name)
        }
        return started
    }

    mutating func terminateChild(_ id: String, context: ServerContext<Self>) async -> Result<Void, SupervisorError> {
        guard let index = children.firstIndex(where: { $0.id == id }) else { return .failure(.notFound) }
        await stopChild(at: index, context: context)
        if children[index].spec.restart == .temporary {
            children.remove(at: index)
        } else {
            children[index].lifecycle = .stopped
        }
        return .success(())
    }

    mutating func restartChild(_ id: String, context: ServerContext<Self>) async -> Result<ProcessRef, SupervisorError> {
        guard let index = children.firstIndex(where: { $0.id == id }) else { return .failure(.notFound) }
        if let error = children[index].lifecycle.notStoppedError { return .failure(error) }
        let started = await context.startChildForCall(children[index].spec)
        if case .success(let process) = started {
            children[index].lifecycle = .running(process)
            context.emit(.started, children[index], supervisor: name)
        }
        return started
    }

    mutating func deleteChild(_ id: String) -> Result<Void, SupervisorError> {
        guard let index = children.firstIndex(where: { $0.id == id }) else { return .failure(.notFound) }
        if let error = children[index].lifecycle.notStoppedError { return .failure(error) }
        children.remove(at: index)
        return .success(())
    }

    // MARK: - Exits and restarts

    mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        switch message {
        case .childExited(let pid, let reason):
            guard let index = children.firstIndex(where: { $0.process?.pid == pid }),
                  let process = children[index].process else { return }
            children[index].lifecycle = .restarting
            context.runtime.events.emit(.exited, supervisor: name, child: children[index].id, pid: pid, reason: reason)
            let decision = context.decideAfterExit(of: &children[index], process: process, reason: reason, window: &window)
            await carryOut(decision, childAt: index, context: context)

        case .retryRestart(let id):
            guard let index = children.firstIndex(where: { $0.id == id }),
                  case .restarting = children[index].lifecycle else { return }
            await carryOut(context.decideRetry(of: children[index], window: &window), childAt: index, context: context)

        case .backoffElapsed(let id):
            guard let index = children.firstIndex(where: { $0.id == id }),
                  case .restarting = children[index].lifecycle else { return }
            await performRestart(id: id, context: context)
        }
    }

    /// Does what `decision` says for the child at `index`, which has no process.
    private mutating func carryOut(_ decision: RestartDecision, childAt index: Int, context: ServerContext<Self>) async {
        switch decision {
        case .leave(deleteSpec: true):
            children.remove(at: index)
        case .leave(deleteSpec: false):
            children[index].lifecycle = .stopped
        case .giveUp:
            children[index].lifecycle = .stopped
            context.giveUp(supervisor: name)
        case .restartLater(let delay):
            children[index].lifecycle = .restarting
            context.sendAfter(.backoffElapsed(children[index].id), after: delay)
        case .restartNow:
            await performRestart(id: children[index].id, context: context)
        }
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
                children[index].lifecycle = .running(try await context.startChild(children[index].spec))
                children[index].restarts += 1
                context.emit(.restarted, children[index], supervisor: name)
            } catch {
                children[index].lifecycle = .restarting
                for later in restartIDs.dropFirst(position + 1) {
                    if let laterIndex = children.firstIndex(where: { $0.id == later }) { children[laterIndex].lifecycle = .stopped }
                }
                context.ref.info(.retryRestart(childID))
                return
            }
        }
    }

    // MARK: - Helpers

    /// Stops the child at `index` if it runs; it stays in the list, `stopped`.
    private mutating func stopChild(at index: Int, context: ServerContext<Self>) async {
        await children[index].lifecycle.stop(shutdown: children[index].spec.shutdown, childID: children[index].id,
                                             supervisor: name, runtime: context.runtime)
    }

    /// Stops every child in reverse start order, one at a time.
    private mutating func stopAll(context: ServerContext<Self>) async {
        for index in children.indices.reversed() { await stopChild(at: index, context: context) }
    }
}

extension ServerCall where Server == SupervisorServer {
    static func startChild(_ spec: ChildSpec) -> ServerCall<SupervisorServer, Result<ProcessRef, SupervisorError>> {
        .init { supervisor, context in await supervisor.startChild(spec, context: context) }
    }

    static func terminateChild(_ id: String) -> ServerCall<SupervisorServer, Result<Void, SupervisorError>> {
        .init { supervisor, context in await supervisor.terminateChild(id, context: context) }
    }

    static func restartChild(_ id: String) -> ServerCall<SupervisorServer, Result<ProcessRef, SupervisorError>> {
        .init { supervisor, context in await supervisor.restartChild(id, context: context) }
    }

    static func deleteChild(_ id: String) -> ServerCall<SupervisorServer, Result<Void, SupervisorError>> {
        .init { supervisor, _ in supervisor.deleteChild(id) }
    }
}
