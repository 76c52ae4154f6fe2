import Synchronization
import Testing
@testable import Supervision

/// An ordered record of what test processes did ("a:init", "b:terminate", …).
final class Journal: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var entries: [String] { lines.withLock { $0 } }
}

/// A latch a handler waits on; deliberately deaf to cancellation, to play a stuck child.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))
    func wait() async {
        await withUnsafeContinuation { continuation in
            let open = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }
    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A worker driven by the test: crash, exit normally, block, or answer.
struct ScriptedWorker: GenServer {
    enum Call: Sendable { case ping, block(Gate), fail }
    enum Cast: Sendable { case crash, exitNormal, note(String), block(Gate) }
    typealias Reply = String

    let id: String
    let journal: Journal

    mutating func initialize(context: ServerContext<Self>) async throws {
        journal.add("\(id):init")
    }

    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> String {
        switch request {
        case .ping: return "pong:\(id)"
        case .block(let gate):
            journal.add("\(id):blocked")
            await gate.wait()
            journal.add("\(id):unblocked")
            return "late:\(id)"
        case .fail: throw TestFailure(message: "\(id) failed in a call")
        }
    }

    mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .crash: throw TestFailure(message: "\(id) crashed")
        case .exitNormal: context.stop(.normal)
        case .note(let text): journal.add("\(id):\(text)")
        case .block(let gate):
            journal.add("\(id):blocked")
            await gate.wait()
            journal.add("\(id):unblocked")
        }
    }

    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        journal.add("\(id):terminate")
    }

    static func spec(_ id: String, journal: Journal, restart: RestartType = .permanent,
                     shutdown: Shutdown? = nil, backoff: RestartBackoff? = nil,
                     name: (any ProcessNaming)? = nil) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, backoff: backoff, name: name) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) { ScriptedWorker(id: id, journal: journal) }.process
        }
    }
}

/// A worker whose `initialize` throws, to test failed starts.
struct FailingWorker: GenServer {
    let id: String
    let journal: Journal
    mutating func initialize(context: ServerContext<Self>) async throws {
        journal.add("\(id):init-failed")
        throw TestFailure(message: "\(id) refuses to start")
    }
    static func spec(_ id: String, journal: Journal) -> ChildSpec {
        ChildSpec(id: id) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) { FailingWorker(id: id, journal: journal) }.process
        }
    }
}

/// Collects the runtime's events and lets a test wait for one, with a deadline.
final class EventLog: Sendable {
    private typealias Waiter = (predicate: @Sendable (SupervisionEvent) -> Bool,
                                continuation: UnsafeContinuation<SupervisionEvent?, Never>)
    private struct State {
        var events: [SupervisionEvent] = []
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    init(_ runtime: Runtime) {
        runtime.events.observe { [weak self] event in self?.record(event) }
    }

    var events: [SupervisionEvent] { state.withLock { $0.events } }

    func count(_ kind: SupervisionEvent.Kind, child: String? = nil) -> Int {
        events.filter { $0.kind == kind && (child == nil || $0.child == child) }.count
    }

    private func record(_ event: SupervisionEvent) {
        let ready = state.withLock { state in
            state.events.append(event)
            let matched = state.waiters.filter { $0.value.predicate(event) }
            for id in matched.keys { state.waiters[id] = nil }
            return matched.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: event) }
    }

    /// Waits for the `occurrence`-th matching event since the runtime started; records a test
    /// failure and returns nil after `deadline` of real time.
    @discardableResult
    func waitFor(_ kind: SupervisionEvent.Kind, child: String? = nil, supervisor: String? = nil,
                 occurrence: Int = 1, deadline: Duration = .seconds(10),
                 sourceLocation: SourceLocation = #_sourceLocation) async -> SupervisionEvent? {
        let matches: @Sendable (SupervisionEvent) -> Bool = { event in
            event.kind == kind && (child == nil || event.child == child)
                && (supervisor == nil || event.supervisor == supervisor)
        }
        let event: SupervisionEvent? = await withUnsafeContinuation { continuation in
            let registered = state.withLock { state -> (already: SupervisionEvent?, id: UInt64) in
                let earlier = state.events.filter(matches)
                if earlier.count >= occurrence { return (earlier[occurrence - 1], 0) }
                let remaining = Mutex(occurrence - earlier.count)
                let id = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[id] = ({ event in
                    matches(event) && remaining.withLock { left in left -= 1; return left == 0 }
                }, continuation)
                return (nil, id)
            }
            if let already = registered.already {
                continuation.resume(returning: already)
                return
            }
            Task {
                try? await Task.sleep(for: deadline)
                self.expire(registered.id)
            }
        }
        if event == nil {
            Issue.record("no \(kind.rawValue) event for \(child ?? "any child") within \(deadline)",
                         sourceLocation: sourceLocation)
        }
        return event
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: nil)
    }
}

/// A fresh runtime on a manual clock, with its event log.
func makeRuntime() -> (Runtime, ManualClock, EventLog) {
    let clock = ManualClock()
    let runtime = Runtime(clock: clock)
    return (runtime, clock, EventLog(runtime))
}

/// The PID of child `id`, or nil when it is not running.
func pidOf(_ id: String, in supervisor: Supervisor) async throws -> PID? {
    try await supervisor.whichChildren().first { $0.id == id }?.process?.pid
}

func worker(_ process: ProcessRef?) -> ServerRef<ScriptedWorker>? {
    process?.server(ScriptedWorker.self)
}

/// Waits until `condition` holds, checking after each scheduler turn; fails after `deadline` of
/// real time. For state that no event announces (a handler reaching its await point).
func waitUntil(deadline: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
               _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let limit = clock.now + deadline
    while !condition() {
        if clock.now > limit {
            Issue.record("condition not met within \(deadline)", sourceLocation: sourceLocation)
            throw TestFailure(message: "timed out waiting")
        }
        await Task.yield()
    }
}

/// The nested supervisor running as child `index` of `parent`.
func childSupervisor(_ parent: Supervisor, at index: Int) async throws -> Supervisor {
    guard let process = try await parent.whichChildren()[index].process, let sup = Supervisor(process) else {
        throw TestFailure(message: "child \(index) of \(parent.name) is not a running supervisor")
    }
    return sup
}
