import Foundation
import Supervision

// supervision-trace: runs one JSON scenario (stdin) on a real tree of supervisors with a manual
// clock and prints one JSON line per event, for differential testing against Erlang/OTP
// (scripts/supervision-trace-otp.escript runs the same scenario there). The format and its
// mapping to OTP are documented in docs/supervision.md.

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
// Workers print what their supervisor reports; a supervisor child prints its own start (see
// TraceTree.childSpec), and its stop shows as its children's stops.
let supervisorPaths = scenario.root.supervisorPaths()
runtime.events.observe { event in
    guard let child = event.child else { return }
    let path = TracePath.child(child, of: event.supervisor)
    guard !supervisorPaths.contains(path) else { return }
    switch event.kind {
    case .started, .restarted: output.emit(["ev": "start", "id": path.description])
    case .stopped, .killed: output.emit(["ev": "stop", "id": path.description])
    case .exited, .intensityExceeded: break
    }
}

let tree: TraceTree
do {
    tree = try await TraceTree.start(scenario.root, output: output, runtime: runtime)
} catch {
    FileHandle.standardError.write(Data("supervision-trace: the supervisor did not start: \(error)\n".utf8))
    exit(1)
}

/// Answers OTP gives that the Swift API has no call for.
enum OTPAnswer: Error {
    /// `restart_child` / `delete_child` on a `simple_one_for_one` supervisor.
    case simpleOneForOne
}

/// OTP's spelling of an API error.
func resultName(_ error: any Error) -> String {
    if error is OTPAnswer { return "simple_one_for_one" }
    switch error as? SupervisorError {
    case .running?: return "running"
    case .restarting?: return "restarting"
    case .notFound?: return "not_found"
    case .alreadyPresent?: return "already_present"
    case .alreadyStarted?: return "already_started"
    default: return "error"
    }
}

/// Answers an API step addressed to the child at `path`; `noproc` when its supervisor is not
/// running.
func reply(_ step: String, _ path: TracePath, _ body: (TraceTree.Node) async throws -> Void) async {
    guard let parent = await tree.supervisor(at: path.parent) else {
        output.emit(["ev": "reply", "step": step, "result": "noproc"])
        return
    }
    do {
        try await body(parent)
        output.emit(["ev": "reply", "step": step, "result": "ok"])
    } catch {
        output.emit(["ev": "reply", "step": step, "result": resultName(error)])
    }
}

/// Makes a running worker exit and waits until every supervisor it reaches has dealt with it.
/// Returns false when the root shut down as a result.
func exitChild(_ path: TracePath, reason: String, _ message: TraceChild.Cast) async -> Bool {
    guard let chain = await tree.chain(to: path.parent), let parent = chain.last,
          let process = await tree.running(path, in: parent), let child = process.server(TraceChild.self) else { return true }
    output.emit(["ev": "exit", "id": path.description, "reason": reason])
    child.cast(message)
    await process.waitForExit()
    return await TraceTree.settle(chain)
}

func whichChildren(_ path: TracePath) async {
    guard let node = await tree.supervisor(at: path), let children = await node.children() else {
        output.emit(["ev": "reply", "step": "which_children", "result": "noproc"])
        return
    }
    let ids: [String], running: [String]
    switch node {
    case .ordered:
        ids = children.map(\.id)
        running = children.filter { $0.process != nil }.map(\.id)
    case .dynamic:
        ids = children.filter { $0.process != nil }.map(\.id).sorted()
        running = ids
    }
    if path.isRoot {
        output.emit(["ev": "children", "ids": ids, "running": running])
    } else {
        output.emit(["ev": "children", "id": path.description, "ids": ids, "running": running])
    }
}

var alive = true
for step in scenario.steps where alive {
    switch step {
    case .crash(let path): alive = await exitChild(path, reason: "crash", .crash)
    case .exitNormal(let path): alive = await exitChild(path, reason: "normal", .exitNormal)
    case .advance(let duration): clock.advance(by: duration)
    case .terminateChild(let path):
        await reply("terminate_child", path) { parent in
            switch parent {
            case .ordered(let supervisor): try await supervisor.terminateChild(path.last)
            case .dynamic(let supervisor, _):
                guard let process = await tree.running(path, in: parent) else { throw SupervisorError.notFound }
                try await supervisor.terminateChild(process.pid)
            }
        }
    case .restartChild(let path):
        await reply("restart_child", path) { parent in
            guard case .ordered(let supervisor) = parent else { throw OTPAnswer.simpleOneForOne }
            try await supervisor.restartChild(path.last)
        }
    case .deleteChild(let path):
        await reply("delete_child", path) { parent in
            guard case .ordered(let supervisor) = parent else { throw OTPAnswer.simpleOneForOne }
            try await supervisor.deleteChild(path.last)
        }
    case .startChild(let path, let restart):
        await reply("start_child", path) { parent in
            let spec = TraceTree.workerSpec(path, restart: restart, in: parent)
            switch parent {
            case .ordered(let supervisor): try await supervisor.startChild(spec)
            case .dynamic(let supervisor, _):
                // Workers of a dynamic supervisor are told apart by name only in the trace: a name
                // in use is refused, as the OTP harness refuses it before asking OTP.
                if let running = await tree.running(path, in: parent) { throw SupervisorError.alreadyStarted(running.pid) }
                try await supervisor.startChild(spec)
            }
        }
    case .whichChildren(let path): await whichChildren(path)
    }
}

// The trace ends with the last step: the tree is left running, as in the OTP harness, unless
// the root shut itself down.
if !alive {
    let reason = await tree.root.process.waitForExit()
    output.emit(["ev": "supervisor_exit", "reason": reason.isNormal ? "shutdown" : "\(reason)"])
}
