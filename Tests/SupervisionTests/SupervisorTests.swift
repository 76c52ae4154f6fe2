import Testing
@testable import Supervision
import TestSupport

@Suite struct SupervisorTests {
    // MARK: - Order

    @Test func childrenStartInOrderAndStopInReverseOrder() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", children: ["a", "b", "c"].map {
            ScriptedWorker.spec($0, journal: journal)
        }, runtime: runtime)
        #expect(try await sup.whichChildren().map(\.id) == ["a", "b", "c"])
        #expect(await sup.stop() == .shutdown(nil))
        #expect(journal.all == ["a:init", "b:init", "c:init", "c:terminate", "b:terminate", "a:terminate"])
    }

    @Test func startFailureStopsEarlierChildrenInReverseAndFailsTheStart() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let specs = [ScriptedWorker.spec("a", journal: journal), ScriptedWorker.spec("b", journal: journal),
                     FailingWorker.spec("c", journal: journal), ScriptedWorker.spec("d", journal: journal)]
        let error = await #expect(throws: SupervisorError.self) {
            _ = try await Supervisor.start(name: "S", children: specs, runtime: runtime)
        }
        guard case .failedToStartChild(let id, _)? = error else {
            Issue.record("expected failedToStartChild, got \(String(describing: error))")
            return
        }
        #expect(id == "c")
        #expect(journal.all == ["a:init", "b:init", "c:init-failed", "b:terminate", "a:terminate"])
    }

    // MARK: - Strategies

    @Test func oneForOneRestartsOnlyTheFailedChild() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", strategy: .oneForOne, children: ["a", "b", "c"].map {
            ScriptedWorker.spec($0, journal: journal)
        }, runtime: runtime)
        let before = try await sup.whichChildren()
        worker(before[1].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "b")
        let after = try await sup.whichChildren()
        #expect(after[0].process == before[0].process)
        #expect(after[1].process != before[1].process && after[1].process?.isAlive == true)
        #expect(after[2].process == before[2].process)
        #expect(after.map(\.restarts) == [0, 1, 0])
    }

    @Test func oneForAllStopsTheOthersInReverseThenRestartsAllInOrder() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", strategy: .oneForAll, children: ["a", "b", "c"].map {
            ScriptedWorker.spec($0, journal: journal)
        }, runtime: runtime)
        let before = try await sup.whichChildren()
        worker(before[1].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "c")
        #expect(Array(journal.all.dropFirst(3)) == ["b:terminate", "c:terminate", "a:terminate",
                                                      "a:init", "b:init", "c:init"])
        let after = try await sup.whichChildren()
        for index in 0..<3 { #expect(after[index].process != before[index].process) }
        #expect(events.count(.intensityExceeded) == 0)
    }

    @Test func restForOneRestartsTheFailedChildAndThoseAfterIt() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", strategy: .restForOne, children: ["a", "b", "c"].map {
            ScriptedWorker.spec($0, journal: journal)
        }, runtime: runtime)
        let before = try await sup.whichChildren()
        worker(before[1].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "c")
        #expect(Array(journal.all.dropFirst(3)) == ["b:terminate", "c:terminate", "b:init", "c:init"])
        let after = try await sup.whichChildren()
        #expect(after[0].process == before[0].process)
        #expect(after[1].process != before[1].process)
        #expect(after[2].process != before[2].process)
    }

    @Test func oneForAllRemovesTemporarySiblingsInsteadOfRestartingThem() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", strategy: .oneForAll, children: [
            ScriptedWorker.spec("a", journal: journal),
            ScriptedWorker.spec("t", journal: journal, restart: .temporary),
        ], runtime: runtime)
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "a")
        #expect(try await sup.whichChildren().map(\.id) == ["a"])
    }

    // MARK: - Restart types

    @Test(arguments: [
        (RestartType.permanent, false, true), (.permanent, true, true),
        (.transient, false, true), (.transient, true, false),
        (.temporary, false, false), (.temporary, true, false),
    ])
    func restartTypeDecidesWhetherAnExitRestarts(restart: RestartType, normalExit: Bool, restarts: Bool) async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", children: [
            ScriptedWorker.spec("w", journal: journal, restart: restart),
            ScriptedWorker.spec("marker", journal: journal),
        ], runtime: runtime)
        let first = try #require(try await sup.whichChildren().first)
        worker(first.process)?.cast(normalExit ? .exitNormal : .crash)
        await events.waitFor(.exited, child: "w")
        // The exit message is handled before this call (FIFO), so the decision has been made.
        let children = try await sup.whichChildren()
        let child = children.first { $0.id == "w" }
        if restarts {
            #expect(child?.status == .running && child?.process != first.process)
        } else if restart == .temporary {
            #expect(child == nil)
        } else {
            #expect(child?.status == .stopped && child?.process == nil)
        }
        #expect(events.count(.restarted, child: "w") == (restarts ? 1 : 0))
    }

    // MARK: - Intensity

    @Test func threeRestartsInTheWindowAreAllowedAndTheFourthEscalates() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", intensity: .default, children: [
            ScriptedWorker.spec("w", journal: journal), ScriptedWorker.spec("other", journal: journal),
        ], runtime: runtime)
        for n in 1...3 {
            worker(try await sup.whichChildren()[0].process)?.cast(.crash)
            await events.waitFor(.restarted, child: "w", occurrence: n)
        }
        #expect(sup.process.isAlive)
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        #expect(await sup.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        #expect(events.count(.intensityExceeded) == 1)
        #expect(journal.all.last == "other:terminate")
    }

    @Test func theWindowSlides() async throws {
        let (runtime, clock, events) = makeRuntime()
        let sup = try await Supervisor.start(name: "S", children: [ScriptedWorker.spec("w", journal: Journal())],
                                             runtime: runtime)
        for n in 1...3 {
            worker(try await sup.whichChildren()[0].process)?.cast(.crash)
            await events.waitFor(.restarted, child: "w", occurrence: n)
        }
        clock.advance(by: .milliseconds(5001))
        for n in 4...6 {
            worker(try await sup.whichChildren()[0].process)?.cast(.crash)
            await events.waitFor(.restarted, child: "w", occurrence: n)
        }
        #expect(sup.process.isAlive)
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        #expect(await sup.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
    }

    @Test func intensityZeroGivesUpOnTheFirstRestart() async throws {
        let (runtime, _, events) = makeRuntime()
        let sup = try await Supervisor.start(name: "S", intensity: RestartIntensity(maxRestarts: 0, period: .seconds(5)),
                                             children: [ScriptedWorker.spec("w", journal: Journal())], runtime: runtime)
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        #expect(await sup.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        #expect(events.count(.restarted) == 0)
    }

    @Test func intensityCountsRestartsAcrossChildren() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", intensity: RestartIntensity(maxRestarts: 2, period: .seconds(5)),
                                             children: ["a", "b", "c"].map { ScriptedWorker.spec($0, journal: journal) },
                                             runtime: runtime)
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "a")
        worker(try await sup.whichChildren()[1].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "b")
        #expect(sup.process.isAlive)
        worker(try await sup.whichChildren()[2].process)?.cast(.crash)
        #expect(await sup.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
    }

    @Test func nestedSupervisorOverItsLimitIsRestartedByItsParentAndCountsThere() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let inner = Supervisor.childSpec(id: "Inner", intensity: RestartIntensity(maxRestarts: 0, period: .seconds(5)),
                                         children: [ScriptedWorker.spec("w", journal: journal)])
        let root = try await Supervisor.start(name: "Root", intensity: RestartIntensity(maxRestarts: 1, period: .seconds(5)),
                                              children: [inner], runtime: runtime)
        let firstInner = try await childSupervisor(root, at: 0)
        worker(try await firstInner.whichChildren()[0].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "Inner", supervisor: "Root")
        #expect(await firstInner.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        let secondInner = try await childSupervisor(root, at: 0)
        #expect(secondInner.process != firstInner.process)
        #expect(try await secondInner.whichChildren()[0].status == .running)
        #expect(try await root.whichChildren()[0].restarts == 1)
        #expect(root.process.isAlive)

        // The second escalation exceeds the root's own limit of one restart: failure reaches the root.
        worker(try await secondInner.whichChildren()[0].process)?.cast(.crash)
        #expect(await root.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        #expect(events.events.filter { $0.kind == .intensityExceeded }.map(\.supervisor) == ["Inner", "Inner", "Root"])
    }

    @Test func failureCascadesThroughEveryLevelToTheRoot() async throws {
        let (runtime, _, events) = makeRuntime()
        let zero = RestartIntensity(maxRestarts: 0, period: .seconds(5))
        let leaf = Supervisor.childSpec(id: "Leaf", intensity: zero, children: [ScriptedWorker.spec("w", journal: Journal())])
        let middle = Supervisor.childSpec(id: "Middle", intensity: zero, children: [leaf])
        let root = try await Supervisor.start(name: "Root", intensity: zero, children: [middle], runtime: runtime)
        let snapshot = await root.snapshot()
        let workerPID = try #require(snapshot.node(at: ["Middle", "Leaf", "w"])?.pid)
        let leafSupervisor = try await childSupervisor(try await childSupervisor(root, at: 0), at: 0)
        let workerProcess = try #require(try await leafSupervisor.whichChildren()[0].process)
        #expect(workerProcess.pid == workerPID)
        worker(workerProcess)?.cast(.crash)
        #expect(await root.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        #expect(events.events.filter { $0.kind == .intensityExceeded }.map(\.supervisor) == ["Leaf", "Middle", "Root"])
    }

    @Test func transientSupervisorThatGivesUpStaysDown() async throws {
        let (runtime, _, events) = makeRuntime()
        let inner = Supervisor.childSpec(id: "Inner", intensity: RestartIntensity(maxRestarts: 0, period: .seconds(5)),
                                         restart: .transient, children: [ScriptedWorker.spec("w", journal: Journal())])
        let root = try await Supervisor.start(name: "Root", children: [inner], runtime: runtime)
        let innerSup = try await childSupervisor(root, at: 0)
        worker(try await innerSup.whichChildren()[0].process)?.cast(.crash)
        await events.waitFor(.exited, child: "Inner", supervisor: "Root")
        #expect(try await root.whichChildren()[0].status == .stopped)
        #expect(events.count(.restarted, child: "Inner") == 0)
    }

    // MARK: - Shutdown

    @Test func childIgnoringShutdownPastItsTimeoutIsRecordedKilledAndItsLateExitIgnored() async throws {
        let (runtime, clock, events) = makeRuntime()
        let journal = Journal()
        let gate = Gate()
        let sup = try await Supervisor.start(name: "S", children: [
            ScriptedWorker.spec("stuck", journal: journal, shutdown: .timeout(.seconds(1))),
        ], runtime: runtime)
        let stuck = try #require(try await sup.whichChildren()[0].process)
        worker(stuck)?.cast(.block(gate))
        try #require(await waitFor { journal.all.contains("stuck:blocked") })
        let terminating = Task { try await sup.terminateChild("stuck") }
        await clock.waitForTimer(dueWithin: .seconds(1))
        clock.advance(by: .seconds(1))
        try await terminating.value
        #expect(stuck.exitReason == .killed)
        #expect(await events.waitFor(.killed, child: "stuck")?.reason == "killed")

        // The abandoned task finally returns; nothing about the tree changes.
        gate.open()
        try #require(await waitFor { journal.all.contains("stuck:unblocked") })
        let children = try await sup.whichChildren()
        #expect(children[0].status == .stopped && children[0].restarts == 0)
        #expect(stuck.exitReason == .killed)
        #expect(!journal.all.contains("stuck:terminate"))
        #expect(events.count(.restarted) == 0)
    }

    @Test func brutalKillDoesNotWait() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let gate = Gate()
        let sup = try await Supervisor.start(name: "S", children: [
            ScriptedWorker.spec("w", journal: journal, shutdown: .brutalKill),
        ], runtime: runtime)
        let process = try #require(try await sup.whichChildren()[0].process)
        worker(process)?.cast(.block(gate))
        try #require(await waitFor { journal.all.contains("w:blocked") })
        try await sup.terminateChild("w")
        #expect(process.exitReason == .killed)
        #expect(events.count(.killed, child: "w") == 1)
        gate.open()
    }

    @Test func stopsTheSupervisorMakesItselfNeverTriggerRestarts() async throws {
        let (runtime, _, events) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", strategy: .oneForAll, children: ["a", "b", "c"].map {
            ScriptedWorker.spec($0, journal: journal)
        }, runtime: runtime)
        try await sup.terminateChild("b")
        #expect(try await sup.whichChildren().map(\.status) == [.running, .stopped, .running])
        // A one-for-all restart stops a and c itself; their exits must not restart anything again.
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "c")
        let children = try await sup.whichChildren()
        #expect(children.map(\.restarts) == [1, 1, 1])
        #expect(events.count(.restarted) == 3)
        #expect(events.count(.exited) == 1)
    }

    // MARK: - API errors

    @Test func everyAPIErrorIsReported() async throws {
        let (runtime, clock, events) = makeRuntime()
        let journal = Journal()
        let slow = RestartBackoff(initial: .seconds(10), maximum: .seconds(10), jitter: 0)
        let sup = try await Supervisor.start(name: "S", children: [
            ScriptedWorker.spec("running", journal: journal),
            ScriptedWorker.spec("stopped", journal: journal),
            ScriptedWorker.spec("waiting", journal: journal, backoff: slow),
        ], runtime: runtime)
        try await sup.terminateChild("stopped")
        worker(try await sup.whichChildren()[2].process)?.cast(.crash)
        await events.waitFor(.exited, child: "waiting")
        #expect(try await sup.whichChildren().map(\.status) == [.running, .stopped, .restarting])

        let runningPID = try #require(try await pidOf("running", in: sup))
        await #expect(throws: SupervisorError.alreadyStarted(runningPID)) {
            try await sup.startChild(ScriptedWorker.spec("running", journal: journal))
        }
        await #expect(throws: SupervisorError.alreadyPresent) {
            try await sup.startChild(ScriptedWorker.spec("stopped", journal: journal))
        }
        await #expect(throws: SupervisorError.notFound) { try await sup.terminateChild("missing") }
        await #expect(throws: SupervisorError.running) { try await sup.restartChild("running") }
        await #expect(throws: SupervisorError.restarting) { try await sup.restartChild("waiting") }
        await #expect(throws: SupervisorError.notFound) { try await sup.restartChild("missing") }
        await #expect(throws: SupervisorError.running) { try await sup.deleteChild("running") }
        await #expect(throws: SupervisorError.restarting) { try await sup.deleteChild("waiting") }
        await #expect(throws: SupervisorError.notFound) { try await sup.deleteChild("missing") }
        let failed = await #expect(throws: SupervisorError.self) {
            try await sup.startChild(FailingWorker.spec("broken", journal: journal))
        }
        guard case .startFailed(id: "broken", _)? = failed else {
            Issue.record("expected startFailed, got \(String(describing: failed))")
            return
        }

        // And the successful paths of the same calls.
        try await sup.restartChild("stopped")
        try await sup.terminateChild("stopped")
        try await sup.deleteChild("stopped")
        #expect(try await sup.countChildren() == ChildCounts(specs: 2, active: 1, supervisors: 0, workers: 2))

        // The backoff elapses on the clock, not in a sleep.
        await clock.waitForTimer(dueWithin: .seconds(10))
        clock.advance(by: .seconds(10))
        await events.waitFor(.restarted, child: "waiting")
        #expect(try await sup.whichChildren().map(\.status) == [.running, .running])
    }

    @Test func startChildAppendsAtTheEndOfTheStartOrder() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let sup = try await Supervisor.start(name: "S", children: [ScriptedWorker.spec("a", journal: journal)],
                                             runtime: runtime)
        try await sup.startChild(ScriptedWorker.spec("b", journal: journal))
        #expect(try await sup.whichChildren().map(\.id) == ["a", "b"])
        await sup.stop()
        #expect(journal.all == ["a:init", "b:init", "b:terminate", "a:terminate"])
    }

    @Test func failedRestartIsRetriedAndCountsTowardIntensity() async throws {
        let (runtime, _, events) = makeRuntime()
        let attempts = Journal()
        // Starts once, then fails every later start: each retry is a counted restart.
        let flaky = ChildSpec(id: "flaky") { runtime in
            attempts.record("start")
            if attempts.all.count > 1 { throw TestFailure(message: "cannot restart") }
            return try await ServerRef.start(label: "flaky", runtime: runtime) {
                ScriptedWorker(id: "flaky", journal: Journal())
            }.process
        }
        let sup = try await Supervisor.start(name: "S", children: [flaky], runtime: runtime)
        worker(try await sup.whichChildren()[0].process)?.cast(.crash)
        #expect(await sup.process.waitForExit() == .shutdown("reached_max_restart_intensity"))
        // One initial start, then restarts 1…3 each failing; the fourth counted restart gives up.
        #expect(attempts.all.count == 4)
        #expect(events.count(.intensityExceeded) == 1)
    }
}
