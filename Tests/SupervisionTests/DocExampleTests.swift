import Foundation
import Testing
@testable import Supervision
import TestSupport

// Every ```swift example in the doc comments of Sources/Supervision, compiled and run here. The
// last test checks that each example's lines stand in this file in the same order
// (`docExampleProblems`), so a doc example cannot drift from code that compiles.

/// `GenServer`'s example.
struct Counter: GenServer {
    enum Call: Sendable { case get }
    enum Cast: Sendable { case add(Int) }
    var total = 0
    mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Int { total }
    mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        if case .add(let n) = message { total += n }
    }
}

/// `ServerCall`'s example.
struct Tally: GenServer {
    private(set) var total = 0
    mutating func add(_ amount: Int) -> Int { total += amount; return total }
}
extension ServerCall where Server == Tally {
    static var total: ServerCall<Tally, Int> { .init { tally, _ in tally.total } }
    static func add(_ amount: Int) -> ServerCall<Tally, Int> { .init { tally, _ in tally.add(amount) } }
}

@Suite struct DocExampleTests {
    @Test func genServer() async throws {
        let (runtime, _, _) = makeRuntime()
        let counter = try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }
        counter.cast(.add(2))
        let total = try await counter.call(.get)   // 2: the cast was handled first (FIFO)
        #expect(total == 2)
    }

    @Test func serverCall() async throws {
        let (runtime, _, _) = makeRuntime()
        let tally = try await ServerRef.start(label: "Tally", runtime: runtime) { Tally() }
        _ = try await tally.call(.add(2))
        let total: Int = try await tally.call(.total)   // 2
        #expect(total == 2)
    }

    @Test func childSpecAndRuntime() async throws {
        let spec = ChildSpec(id: "Counter", restart: .permanent) { runtime in
            try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }.process
        }
        let clock = ManualClock()
        let runtime = Runtime(clock: clock)
        let tree = try await Supervisor.start(name: "Test", children: [spec], runtime: runtime)
        clock.advance(by: .seconds(6))   // due timers fire and restart windows slide, deterministically
        #expect(try await tree.whichChildren().map(\.id) == ["Counter"])
        await tree.stop()
    }

    @Test func supervisor() async throws {
        let (runtime, _, _) = makeRuntime()
        let tree = try await Supervisor.start(name: "Application", strategy: .oneForOne, children: [
            ChildSpec(id: "Counter") { runtime in try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }.process },
            Supervisor.childSpec(id: "ChainsSupervisor", children: []),
        ], runtime: runtime)
        var refused = false
        do {
            try await tree.restartChild("Counter")
        } catch .running {
            // A running child is not restarted; the API's errors are `SupervisorError`s, typed.
            refused = true
        }
        #expect(refused)
        await tree.stop()
    }

    @Test func dynamicSupervisor() async throws {
        let (runtime, _, _) = makeRuntime()
        let chains = try await DynamicSupervisor.start(name: "ChainsSupervisor", runtime: runtime)
        let ethereum = try await chains.startChild(Supervisor.childSpec(id: "ChainSupervisor(ethereum)", children: []))
        try await chains.terminateChild(ethereum.pid)
        #expect(try await chains.whichChildren().isEmpty)
        #expect(ethereum.exitReason == .shutdown(nil))
    }

    @Test func registry() async throws {
        let (runtime, _, _) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let pool = try await ServerRef.start(label: "ProviderPool", runtime: runtime) { Counter() }
        try names.register("ethereum", value: (), process: pool.process)
        let found = names.whereis("ethereum")   // pool.process, until it exits; then nil
        #expect(found == pool.process)
        pool.stop()
        await pool.process.waitForExit()
        #expect(names.whereis("ethereum") == nil)
    }

    @Test func registryKeeper() async throws {
        let (runtime, _, events) = makeRuntime()
        let names = Registry<String, Void>(keys: .unique)
        let keeper = RegistryKeeper.childSpec(id: "ProcessRegistry", tables: [names.keptTable])
        let tree = try await Supervisor.start(name: "Application", children: [keeper], runtime: runtime)
        // A crash of the keeper restarts it; `names` keeps every entry meanwhile.
        let counter = try await ServerRef.start(label: "Counter", runtime: runtime) { Counter() }
        try names.register("counter", value: (), process: counter.process)
        try await tree.whichChildren()[0].process?.stop(.failed(TestFailure(message: "drill")))
        await events.waitFor(.restarted, child: "ProcessRegistry")
        #expect(names.whereis("counter") == counter.process)
        await tree.stop()
    }

    @Test func everyDocExampleStandsInThisFile() throws {
        let examples = try docExamples(under: "Sources/Supervision")
        #expect(examples.count >= 8)
        let problems = try docExampleProblems(examples)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
