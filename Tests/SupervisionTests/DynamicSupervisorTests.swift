import Testing
@testable import Supervision
import TestSupport

@Suite struct DynamicSupervisorTests {
    @Test func startsTerminatesAndRestartsChildrenByPID() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await DynamicSupervisor.start(name: "D", runtime: runtime)
        #expect(try await sup.whichChildren().isEmpty)
        let a = try await sup.startChild(ScriptedWorker.spec("a", journal: journal))
        let b = try await sup.startChild(ScriptedWorker.spec("b", journal: journal))
        worker(a)?.cast(.crash)
        await events.waitFor(.restarted, child: "a")
        let children = try await sup.whichChildren()
        #expect(children.map(\.id) == ["a", "b"])
        #expect(children[0].process != a && children[0].restarts == 1)
        try await sup.terminateChild(b.pid)
        #expect(b.exitReason == .shutdown(nil))
        await #expect(throws: SupervisorError.notFound) { try await sup.terminateChild(b.pid) }
        #expect(try await sup.countChildren() == ChildCounts(specs: 1, active: 1, supervisors: 0, workers: 1))
    }

    @Test func maxChildrenRefusesAndCountsChildrenWaitingToRestart() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await DynamicSupervisor.start(name: "D", maxChildren: 2, runtime: runtime)
        let slow = RestartBackoff(initial: .seconds(30), maximum: .seconds(30), jitter: 0)
        let waiting = try await sup.startChild(ScriptedWorker.spec("waiting", journal: journal, backoff: slow))
        try await sup.startChild(ScriptedWorker.spec("b", journal: journal))
        await #expect(throws: SupervisorError.maxChildren) {
            try await sup.startChild(ScriptedWorker.spec("c", journal: journal))
        }
        worker(waiting)?.cast(.crash)
        await events.waitFor(.exited, child: "waiting")
        #expect(try await sup.whichChildren().map(\.status) == [.restarting, .running])
        await #expect(throws: SupervisorError.maxChildren) {
            try await sup.startChild(ScriptedWorker.spec("c", journal: journal))
        }
    }

    @Test func temporaryAndTransientChildrenFollowTheirRestartType() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await DynamicSupervisor.start(name: "D", runtime: runtime)
        let temporary = try await sup.startChild(ScriptedWorker.spec("t", journal: journal, restart: .temporary))
        let transient = try await sup.startChild(ScriptedWorker.spec("n", journal: journal, restart: .transient))
        worker(temporary)?.cast(.crash)
        worker(transient)?.cast(.exitNormal)
        await events.waitFor(.exited, child: "t")
        await events.waitFor(.exited, child: "n")
        #expect(try await sup.whichChildren().isEmpty)
        #expect(events.count(.restarted) == 0)
    }

    @Test func exceedingIntensityShutsEveryChildDown() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let sup = try await DynamicSupervisor.start(name: "D", intensity: RestartIntensity(maxRestarts: 0, period: .seconds(5)),
                                                    runtime: runtime)
        let a = try await sup.startChild(ScriptedWorker.spec("a", journal: journal))
        let b = try await sup.startChild(ScriptedWorker.spec("b", journal: journal))
        worker(a)?.cast(.crash)
        #expect(await sup.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        #expect(b.exitReason == .shutdown(nil))
    }

    @Test func shutdownAsksEveryChildAtOnce() async throws {
        let (runtime, clock, events) = makeRuntime()
        let journal = Journal()
        let gates = [Gate(), Gate()]
        let sup = try await DynamicSupervisor.start(name: "D", runtime: runtime)
        var stuck: [ProcessRef] = []
        for (index, gate) in gates.enumerated() {
            let process = try await sup.startChild(ScriptedWorker.spec("s\(index)", journal: journal,
                                                                       shutdown: .timeout(.seconds(2))))
            worker(process)?.cast(.block(gate))
            stuck.append(process)
        }
        try #require(await waitFor { journal.all.filter { $0.hasSuffix(":blocked") }.count == 2 })
        let stopping = Task { await sup.stop() }
        await clock.waitForTimer(dueWithin: .seconds(2))
        // One shared deadline: both stuck children are abandoned after 2 s, not 2 s each.
        clock.advance(by: .seconds(2))
        #expect(await stopping.value == .shutdown(nil))
        #expect(stuck.map(\.exitReason) == [.killed, .killed])
        #expect(events.count(.killed) == 2)
        for gate in gates { gate.open() }
    }
}
