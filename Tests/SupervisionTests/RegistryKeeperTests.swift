import Testing
@testable import Supervision
import TestSupport

@Suite struct RegistryKeeperTests {
    private func startWorker(_ id: String, _ runtime: Runtime) async throws -> ServerRef<ScriptedWorker> {
        try await ServerRef.start(label: id, runtime: runtime) { ScriptedWorker(id: id, journal: Journal()) }
    }

    private func startKeeper(_ tables: [RegistryKeeper.Table], _ runtime: Runtime) async throws -> ServerRef<RegistryKeeper> {
        try await ServerRef.start(label: "Registry", runtime: runtime) { RegistryKeeper(tables: tables) }
    }

    @Test func theKeeperMonitorsRegisteredProcessesAndRemovesTheirEntries() async throws {
        let (runtime, _, _) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let topics = Registry<String, Int>(keys: .duplicate)
        let keeper = try await startKeeper([names.keptTable, topics.keptTable], runtime)
        let a = try await startWorker("a", runtime)
        try names.register("a", value: (), process: a.process)
        try topics.register("t", value: 1, process: a.process)
        try topics.register("t", value: 2, process: a.process)
        #expect(try await keeper.call(.watchedCount) == 1, "one monitor per process, however many entries")

        a.cast(.crash)
        await a.process.waitForExit()
        try #require(await waitFor { names.count == 0 && topics.count == 0 })
        #expect(try await keeper.call(.watchedCount) == 0)
    }

    @Test func aKilledKeeperLosesNoEntryAndItsSuccessorCleansWhatDiedMeanwhile() async throws {
        let (runtime, _, _) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let first = try await startKeeper([names.keptTable], runtime)
        let a = try await startWorker("a", runtime)
        let b = try await startWorker("b", runtime)
        try names.register("a", value: (), process: a.process)
        try names.register("b", value: (), process: b.process)
        _ = try await first.call(.watchedCount)

        first.stop(.failed(TestFailure(message: "drill")))
        await first.process.waitForExit()
        #expect(names.whereis("a") == a.process && names.whereis("b") == b.process, "the table outlives its keeper")

        // b exits while no keeper runs: lookups skip it at once, its entry waits for a keeper.
        b.stop()
        await b.process.waitForExit()
        #expect(names.whereis("b") == nil)
        #expect(names.count == 2)
        // A name taken by an exited process is free.
        let b2 = try await startWorker("b2", runtime)
        try names.register("b", value: (), process: b2.process)
        #expect(names.whereis("b") == b2.process)
        // Registered without a keeper: the registry watches it itself.
        let c = try await startWorker("c", runtime)
        try names.register("c", value: (), process: c.process)

        let second = try await startKeeper([names.keptTable], runtime)
        #expect(try await second.call(.watchedCount) == 3, "a, b2 and c are adopted")
        c.stop()
        await c.process.waitForExit()
        a.stop()
        await a.process.waitForExit()
        try #require(await waitFor { names.count == 1 })
        #expect(names.whereis("b") == b2.process)
        #expect(try await second.call(.watchedCount) == 1)
    }

    @Test func underASupervisorTheKeeperRestartsAndReadopts() async throws {
        let (runtime, _, events) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let supervisor = try await Supervisor.start(name: "Application", children: [
            RegistryKeeper.childSpec(id: "ProcessRegistry", tables: [names.keptTable]),
        ], runtime: runtime)
        let a = try await startWorker("a", runtime)
        try names.register("a", value: (), process: a.process)
        let firstPID = try #require(try await pidOf("ProcessRegistry", in: supervisor))

        let keeper = try #require(try await supervisor.whichChildren()[0].process)
        keeper.stop(.failed(TestFailure(message: "drill")))
        _ = await events.waitFor(.restarted, child: "ProcessRegistry")
        let restarted = try #require(try await supervisor.whichChildren()[0].process?.server(RegistryKeeper.self))
        #expect(restarted.pid != firstPID)
        #expect(try await restarted.call(.watchedCount) == 1)
        #expect(names.whereis("a") == a.process)
        a.stop()
        await a.process.waitForExit()
        try #require(await waitFor { names.count == 0 })
        await supervisor.stop()
    }
}
