import Testing
import TestSupport
@testable import Supervision

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
        journal.record("\(id):init")
    }

    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> String {
        switch request {
        case .ping: return "pong:\(id)"
        case .block(let gate):
            journal.record("\(id):blocked")
            await gate.wait()
            journal.record("\(id):unblocked")
            return "late:\(id)"
        case .fail: throw TestFailure(message: "\(id) failed in a call")
        }
    }

    mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .crash: throw TestFailure(message: "\(id) crashed")
        case .exitNormal: context.stop(.normal)
        case .note(let text): journal.record("\(id):\(text)")
        case .block(let gate):
            journal.record("\(id):blocked")
            await gate.wait()
            journal.record("\(id):unblocked")
        }
    }

    mutating func terminate(reason: ExitReason, context: ServerContext<Self>) async {
        journal.record("\(id):terminate")
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
        journal.record("\(id):init-failed")
        throw TestFailure(message: "\(id) refuses to start")
    }
    static func spec(_ id: String, journal: Journal) -> ChildSpec {
        ChildSpec(id: id) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) { FailingWorker(id: id, journal: journal) }.process
        }
    }
}

/// The runtime's events, in order, for a test to assert on or wait for.
final class EventLog: Sendable {
    private let recorded = Recorder<SupervisionEvent>()

    init(_ runtime: Runtime) {
        let recorded = self.recorded
        runtime.events.observe { recorded.record($0) }
    }

    var events: [SupervisionEvent] { recorded.all }

    func count(_ kind: SupervisionEvent.Kind, child: String? = nil) -> Int {
        events.filter { $0.kind == kind && (child == nil || $0.child == child) }.count
    }

    /// Waits (`waitFor`) for the `occurrence`-th matching event since the runtime started;
    /// records a test failure and returns nil after `deadline` of real time.
    @discardableResult
    func waitFor(_ kind: SupervisionEvent.Kind, child: String? = nil, supervisor: String? = nil,
                 occurrence: Int = 1, deadline: Duration = .seconds(10),
                 sourceLocation: SourceLocation = #_sourceLocation) async -> SupervisionEvent? {
        let event = await TestSupport.waitFor(within: deadline) { () -> SupervisionEvent? in
            let matches = events.filter { event in
                event.kind == kind && (child == nil || event.child == child)
                    && (supervisor == nil || event.supervisor == supervisor)
            }
            return matches.count >= occurrence ? matches[occurrence - 1] : nil
        }
        if event == nil {
            Issue.record("no \(kind.rawValue) event for \(child ?? "any child") within \(deadline)",
                         sourceLocation: sourceLocation)
        }
        return event
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

/// The nested supervisor running as child `index` of `parent`.
func childSupervisor(_ parent: Supervisor, at index: Int) async throws -> Supervisor {
    guard let process = try await parent.whichChildren()[index].process, let sup = Supervisor(process) else {
        throw TestFailure(message: "child \(index) of \(parent.name) is not a running supervisor")
    }
    return sup
}
