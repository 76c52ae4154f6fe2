import Testing
@testable import Supervision
import TestSupport

@Suite struct GenServerTests {
    @Test func castsAreHandledInArrivalOrderBeforeALaterCall() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: journal) }
        for n in 1...50 { server.cast(.note("\(n)")) }
        #expect(try await server.call(.ping) == "pong:w")
        #expect(journal.all == ["w:init"] + (1...50).map { "w:\($0)" })
    }

    @Test func mailboxIsNotReentrant() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let gate = Gate()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: journal) }
        server.cast(.block(gate))
        server.cast(.note("second"))
        // The first handler is suspended at an await; the second message must still be queued.
        try #require(await waitFor { journal.all.contains("w:blocked") })
        #expect(server.process.mailboxDepth == 1)
        #expect(!journal.all.contains("w:second"))
        gate.open()
        _ = try await server.call(.ping)
        #expect(journal.all == ["w:init", "w:blocked", "w:unblocked", "w:second"])
    }

    @Test func callTimesOutAndTheLateReplyIsDropped() async throws {
        let (runtime, clock, _) = makeRuntime()
        let journal = Journal()
        let gate = Gate()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: journal) }
        let slow = Task { try await server.call(.block(gate)) }
        await clock.waitForTimer(dueWithin: .seconds(5))
        clock.advance(by: .seconds(5))
        await #expect(throws: CallError.timeout) { try await slow.value }
        gate.open()
        // The server handles the request late; its reply goes nowhere and the server lives on.
        #expect(try await server.call(.ping) == "pong:w")
        #expect(journal.all.contains("w:unblocked"))
        #expect(server.process.isAlive)
    }

    @Test func callToAnExitedServerIsNoProcess() async throws {
        let (runtime, _, _) = makeRuntime()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: Journal()) }
        server.stop(.normal)
        #expect(await server.process.waitForExit() == .normal)
        await #expect(throws: CallError.noProcess) { try await server.call(.ping) }
    }

    @Test func serverDyingMidCallGivesTheCallerItsExitReason() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: journal) }
        let error = await #expect(throws: CallError.self) { try await server.call(.fail) }
        guard case .exited(.failed)? = error else {
            Issue.record("expected exited(failed), got \(String(describing: error))")
            return
        }
        // As in OTP, where the caller learns of the crash from its monitor: by the time the
        // caller hears, `terminate` has run and the process is recorded as exited.
        #expect(journal.all.contains("w:terminate"))
        #expect(server.process.exitReason == .failed(TestFailure(message: "w failed in a call")))
    }

    @Test func queuedCallsGetTheExitReasonWhenTheServerCrashes() async throws {
        let (runtime, _, _) = makeRuntime()
        let gate = Gate()
        let journal = Journal()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: journal) }
        server.cast(.block(gate))
        try #require(await waitFor { journal.all.contains("w:blocked") })
        server.cast(.crash)
        let queued = Task { try await server.call(.ping) }
        // Both wait behind the blocked handler: the crash, then the call.
        try #require(await waitFor { server.process.mailboxDepth == 2 })
        gate.open()
        let error = await #expect(throws: CallError.self) { try await queued.value }
        guard case .exited(.failed)? = error else {
            Issue.record("expected exited(failed), got \(String(describing: error))")
            return
        }
    }

    @Test func handlerThatThrowsEndsTheProcessAsFailedAfterTerminate() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: journal) }
        server.cast(.crash)
        let reason = await server.process.waitForExit()
        #expect(reason == .failed(TestFailure(message: "w crashed")))
        #expect(!reason.isNormal)
        #expect(journal.all == ["w:init", "w:terminate"])
    }

    @Test func initFailureFailsTheStart() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        await #expect(throws: TestFailure.self) {
            _ = try await ServerRef.start(label: "f", runtime: runtime) { FailingWorker(id: "f", journal: journal) }
        }
        #expect(journal.all == ["f:init-failed"])
    }

    @Test func monitorFiresExactlyOnceWithTheReason() async throws {
        let (runtime, _, _) = makeRuntime()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: Journal()) }
        let fired = Journal()
        server.process.monitor { fired.record("first:\($0)") }
        server.process.monitor { fired.record("second:\($0)") }
        server.stop(.shutdown("test"))
        await server.process.waitForExit()
        #expect(fired.all == ["first:shutdown: test", "second:shutdown: test"])
    }

    @Test func monitoringAnExitedProcessFiresAtOnceWithNoProcess() async throws {
        let (runtime, _, _) = makeRuntime()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: Journal()) }
        server.stop()
        await server.process.waitForExit()
        let fired = Journal()
        server.process.monitor { fired.record("\($0)") }
        #expect(fired.all == ["noproc"])
    }

    @Test func demonitoredMonitorDoesNotFire() async throws {
        let (runtime, _, _) = makeRuntime()
        let server = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: Journal()) }
        let fired = Journal()
        let monitor = server.process.monitor { fired.record("\($0)") }
        server.process.demonitor(monitor)
        server.stop()
        await server.process.waitForExit()
        #expect(fired.all.isEmpty)
    }

    @Test func sendAfterDeliversWhenTheClockPassesTheDelay() async throws {
        let (runtime, clock, _) = makeRuntime()
        let journal = Journal()
        let server = try await ServerRef.start(label: "t", runtime: runtime) { TickingServer(journal: journal) }
        try await server.call(.arm(.seconds(2)))
        clock.advance(by: .milliseconds(1999))
        try await server.call(.barrier)
        #expect(journal.all.isEmpty)
        clock.advance(by: .milliseconds(1))
        try await server.call(.barrier)
        #expect(journal.all == ["tick"])
    }

    @Test func downMessageReachesHandleDownOnce() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let watcher = try await ServerRef.start(label: "watcher", runtime: runtime) { TickingServer(journal: journal) }
        let target = try await ServerRef.start(label: "w", runtime: runtime) { ScriptedWorker(id: "w", journal: Journal()) }
        try await watcher.call(.watch(target.process))
        target.cast(.crash)
        await target.process.waitForExit()
        try await watcher.call(.barrier)
        #expect(journal.all == ["down:\(target.pid):failed: w crashed"])
    }

    @Test func stopInterruptsACancellableHandlerAndEndsWithTheRequestedReason() async throws {
        let (runtime, _, _) = makeRuntime()
        let journal = Journal()
        let server = try await ServerRef.start(label: "s", runtime: runtime) { TickingServer(journal: journal) }
        server.cast(.sleepForever)
        try #require(await waitFor { journal.all.contains("sleeping") })
        server.stop(.shutdown(nil))
        #expect(await server.process.waitForExit() == .shutdown(nil))
    }
}

/// A server for timer, monitor and cancellation tests.
struct TickingServer: GenServer {
    enum Call: Sendable { case arm(Duration), watch(ProcessRef), barrier }
    enum Cast: Sendable { case sleepForever }
    enum Info: Sendable { case tick }
    let journal: Journal

    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws {
        switch request {
        case .arm(let delay): context.sendAfter(.tick, after: delay)
        case .watch(let process): context.monitor(process)
        case .barrier: break
        }
    }

    mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        journal.record("sleeping")
        try await Task.sleep(for: .seconds(3600))
    }

    mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        journal.record("tick")
    }

    mutating func handleDown(_ down: Down, context: ServerContext<Self>) async throws {
        journal.record("down:\(down.pid):\(down.reason)")
    }
}
