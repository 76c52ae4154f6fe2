import Testing
@testable import Supervision
import TestSupport

@Suite struct RegistryTests {
    private func startWorker(_ id: String, _ runtime: Runtime) async throws -> ServerRef<ScriptedWorker> {
        try await ServerRef.start(label: id, runtime: runtime) { ScriptedWorker(id: id, journal: Journal()) }
    }

    @Test func uniqueKeysHoldOneProcess() async throws {
        let (runtime, _, _) = makeRuntime()
        let registry = Registry<String, Int>(keys: .unique)
        let first = try await startWorker("a", runtime)
        let second = try await startWorker("b", runtime)
        try registry.register("chain", value: 1, process: first.process)
        #expect(throws: RegistryError.alreadyRegistered(first.pid)) {
            try registry.register("chain", value: 2, process: second.process)
        }
        #expect(registry.lookup("chain").map(\.value) == [1])
    }

    @Test func entriesVanishWhenTheProcessExits() async throws {
        let (runtime, _, _) = makeRuntime()
        let registry = Registry<String, Int>(keys: .duplicate)
        let process = try await startWorker("a", runtime)
        try registry.register("x", value: 1, process: process.process)
        try registry.register("y", value: 2, process: process.process)
        #expect(Set(registry.keys(of: process.pid)) == ["x", "y"])
        process.cast(.crash)
        await process.process.waitForExit()
        #expect(registry.lookup("x").isEmpty && registry.lookup("y").isEmpty)
        #expect(registry.keys(of: process.pid).isEmpty)
        #expect(registry.count == 0)
    }

    @Test func registeringAnExitedProcessLeavesNoEntry() async throws {
        let (runtime, _, _) = makeRuntime()
        let registry = Registry<String, Void>(keys: .unique)
        let process = try await startWorker("a", runtime)
        process.stop()
        await process.process.waitForExit()
        try registry.register("gone", value: (), process: process.process)
        #expect(registry.lookup("gone").isEmpty)
    }

    @Test func duplicateKeysAllowManyEntriesEvenFromOneProcess() async throws {
        let (runtime, _, _) = makeRuntime()
        let registry = Registry<String, Int>(keys: .duplicate)
        let a = try await startWorker("a", runtime)
        let b = try await startWorker("b", runtime)
        try registry.register("topic", value: 1, process: a.process)
        try registry.register("topic", value: 2, process: a.process)
        try registry.register("topic", value: 3, process: b.process)
        #expect(registry.lookup("topic").map(\.value) == [1, 2, 3])
        registry.unregister("topic", process: a.process)
        #expect(registry.lookup("topic").map(\.value) == [3])
    }

    @Test func dispatchCallsOnceWithAllEntriesAndNeverWhenEmpty() async throws {
        let (runtime, _, _) = makeRuntime()
        let registry = Registry<String, Int>(keys: .duplicate)
        let a = try await startWorker("a", runtime)
        try registry.register("k", value: 1, process: a.process)
        try registry.register("k", value: 2, process: a.process)
        var calls: [[Int]] = []
        registry.dispatch("k") { calls.append($0.map(\.value)) }
        registry.dispatch("none") { calls.append($0.map(\.value)) }
        #expect(calls == [[1, 2]])
    }

    @Test func aNamedChildResolvesToItsNewPIDAfterARestart() async throws {
        let (runtime, _, events) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let sup = try await Supervisor.start(name: "S", children: [
            ScriptedWorker.spec("pool", journal: Journal(), name: names.name("ethereum.pool")),
        ], runtime: runtime)
        let first = try #require(names.whereis("ethereum.pool"))
        worker(first)?.cast(.crash)
        await events.waitFor(.restarted, child: "pool")
        let second = try #require(names.whereis("ethereum.pool"))
        #expect(second != first && second.isAlive)
        #expect(second == (try await sup.whichChildren()[0].process))
    }

    @Test func aNameCollisionAtStartIsAlreadyStarted() async throws {
        let (runtime, _, _) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let holder = try await startWorker("holder", runtime)
        try names.register("taken", value: (), process: holder.process)
        let sup = try await Supervisor.start(name: "S", children: [], runtime: runtime)
        await #expect(throws: SupervisorError.alreadyStarted(holder.pid)) {
            try await sup.startChild(ScriptedWorker.spec("w", journal: Journal(), name: names.name("taken")))
        }
        #expect(try await sup.whichChildren().isEmpty)
    }
}
