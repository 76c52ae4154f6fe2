import Foundation
import Supervision

// supervision-trace: runs one JSON scenario (stdin) on a real Supervisor with a manual clock and
// prints one JSON line per event, for differential testing against an Erlang/OTP supervisor.
// The format and its mapping to OTP are documented in docs/supervision.md.

let input = FileHandle.standardInput.readDataToEndOfFile()
let scenario: TraceScenario
do {
    scenario = try TraceScenario.parse(input)
} catch {
    FileHandle.standardError.write(Data("supervision-trace: \(error)\n".utf8))
    exit(2)
}

let output = TraceOutput()
let clock = ManualClock()
let runtime = Runtime(clock: clock)
runtime.events.observe { event in
    guard let child = event.child else { return }
    switch event.kind {
    case .started, .restarted: output.emit(["ev": "start", "id": child])
    case .stopped, .killed: output.emit(["ev": "stop", "id": child])
    case .exited, .intensityExceeded: break
    }
}

let supervisor: Supervisor
do {
    supervisor = try await Supervisor.start(name: "trace", strategy: scenario.strategy, intensity: scenario.intensity,
                                            children: scenario.children.map { TraceChild.spec(id: $0.id, restart: $0.restart) },
                                            runtime: runtime)
} catch {
    FileHandle.standardError.write(Data("supervision-trace: the supervisor did not start: \(error)\n".utf8))
    exit(1)
}

/// OTP's spelling of an API error.
func resultName(_ error: any Error) -> String {
    switch error as? SupervisorError {
    case .running?: return "running"
    case .restarting?: return "restarting"
    case .notFound?: return "not_found"
    case .alreadyPresent?: return "already_present"
    case .alreadyStarted?: return "already_started"
    default: return "error"
    }
}

/// Answers an API step; `nil` when the supervisor is gone.
func reply(_ step: String, _ body: () async throws -> Void) async -> Bool {
    do {
        try await body()
        output.emit(["ev": "reply", "step": step, "result": "ok"])
    } catch SupervisorError.call {
        return false
    } catch {
        output.emit(["ev": "reply", "step": step, "result": resultName(error)])
    }
    return true
}

/// Makes a running child exit and waits until the supervisor has dealt with it. Returns false
/// when the supervisor shut down as a result.
func exitChild(_ id: String, reason: String, _ message: TraceChild.Cast) async -> Bool {
    guard let children = try? await supervisor.whichChildren() else { return false }
    guard let process = children.first(where: { $0.id == id })?.process,
          let child = process.server(TraceChild.self) else { return true }
    output.emit(["ev": "exit", "id": id, "reason": reason])
    child.cast(message)
    await process.waitForExit()
    // The supervisor's exit message was queued before this call: when it answers, the restart
    // (or the shutdown) is done.
    return (try? await supervisor.whichChildren()) != nil
}

var alive = true
for step in scenario.steps where alive {
    switch step {
    case .crash(let id): alive = await exitChild(id, reason: "crash", .crash)
    case .exitNormal(let id): alive = await exitChild(id, reason: "normal", .exitNormal)
    case .advance(let duration): clock.advance(by: duration)
    case .terminateChild(let id): alive = await reply("terminate_child") { try await supervisor.terminateChild(id) }
    case .restartChild(let id): alive = await reply("restart_child") { try await supervisor.restartChild(id) }
    case .deleteChild(let id): alive = await reply("delete_child") { try await supervisor.deleteChild(id) }
    case .startChild(let id, let restart):
        alive = await reply("start_child") { try await supervisor.startChild(TraceChild.spec(id: id, restart: restart)) }
    case .whichChildren:
        if let children = try? await supervisor.whichChildren() {
            output.emit(["ev": "children", "ids": children.map(\.id),
                         "running": children.filter { $0.process != nil }.map(\.id)])
        } else {
            alive = false
        }
    }
}

// The trace ends with the last step: the supervisor is left running, as in the OTP harness,
// unless it shut itself down.
if !alive {
    let reason = await supervisor.process.waitForExit()
    output.emit(["ev": "supervisor_exit", "reason": reason.isNormal ? "shutdown" : "\(reason)"])
}
