import Testing
@testable import Supervision
import TestSupport

@Suite struct ProcessLifecycleTests {
    @Test func theExitIsRecordedOnceMonitorsFireInOrderThenObservers() {
        var lifecycle = ProcessLifecycle.running(ProcessLifecycle.Watchers())
        let first = lifecycle.addMonitor { _, _ in }
        let second = lifecycle.addMonitor { _, _ in }
        let third = lifecycle.addMonitor { _, _ in }
        if let second { lifecycle.removeMonitor(second) }
        #expect(lifecycle.addExitObserver { _ in } == nil)

        let monitors = lifecycle.recordExit(.normal)
        #expect(monitors?.map(\.id) == [first, third].compactMap { $0 })
        #expect(lifecycle.exitReason == .normal)
        #expect(lifecycle.recordExit(.killed) == nil, "the first reason wins")
        #expect(lifecycle.addMonitor { _, _ in } == nil, "no monitor once the exit is recorded")
        // An observer arriving while the monitors fire waits for them.
        #expect(lifecycle.addExitObserver { _ in } == nil)
        #expect(lifecycle.monitorsFired().count == 2)
        #expect(lifecycle.addExitObserver { _ in } == .normal, "after the monitors, observers run at once")
    }

    @Test func aDrainerThatFindsNoStateEndsTheProcessAsFailedInsteadOfHanging() async throws {
        let (runtime, _, _) = makeRuntime()
        // What a broken invariant would leave: a process whose state is missing.
        let core = ServerCore<ScriptedWorker>(label: "broken", runtime: runtime)
        let seen = Journal()
        _ = core.addMonitor { _, reason in seen.record("\(reason)") }
        #expect(!core.mailbox.finishInitialization())
        let server = ServerRef(core)

        let error = await #expect(throws: CallError.self) { try await server.call(.ping) }
        let reason = ExitReason.failed(RuntimeFault.stateMissing(process: "broken\(core.pid)"))
        #expect(error == .exited(reason))
        // The caller hears of the exit as the pending calls are failed, just before the exit is
        // recorded and the monitors fire: wait for the monitor.
        #expect(await waitFor { seen.all == ["\(reason)"] })
        #expect(core.exitReason == reason)
        await #expect(throws: CallError.noProcess) { try await server.call(.ping) }
    }

    @Test func itsSupervisorSeesTheFaultAndRestartsTheChild() async throws {
        let (runtime, _, events) = makeRuntime()
        let incarnations = Journal()
        let spec = ChildSpec(id: "w") { runtime in
            incarnations.record("start")
            guard incarnations.all.count > 1 else {
                let core = ServerCore<ScriptedWorker>(label: "w", runtime: runtime)
                _ = core.mailbox.finishInitialization()
                return ServerRef(core).process
            }
            return try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: Journal()) }.process
        }
        let sup = try await Supervisor.start(name: "S", children: [spec], runtime: runtime)
        worker(try await sup.whichChildren()[0].process)?.cast(.note("never handled"))
        let exited = await events.waitFor(.exited, child: "w")
        #expect(exited?.reason?.contains("has no state to handle its messages") == true)
        await events.waitFor(.restarted, child: "w")
        #expect(try await worker(sup.whichChildren()[0].process)?.call(.ping) == "pong:w")
        await sup.stop()
    }
}

extension ProcessLifecycleTests {
    /// As in OTP, a killed process runs no more code: what its monitors set off when they fire
    /// (a socket it owned closing, and saying so to it) is refused, not handled by the dead
    /// process in the moment before its mailbox would otherwise close.
    @Test func aKilledProcessTakesNoMessageItsMonitorsSendItAsTheyFire() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let server = try await ServerRef.start(label: "victim", runtime: runtime) { TickingServer(journal: journal) }
        let accepted = Journal()
        _ = server.process.core.addMonitor { _, _ in
            accepted.record(server.core.deliver(.info(.tick)) ? "accepted" : "refused")
        }
        server.process.core.kill()
        #expect(accepted.all == ["refused"])
        #expect(server.process.exitReason == .killed)
        await #expect(throws: CallError.noProcess) { try await server.call(.barrier) }
        #expect(!journal.all.contains("tick"))
    }
}
