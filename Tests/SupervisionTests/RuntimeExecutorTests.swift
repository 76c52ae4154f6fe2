import Foundation
import Synchronization
import Testing
@testable import Supervision

@Suite struct RuntimeExecutorTests {
    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func increment() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// No lost wake-ups: with no time spent looking, every worker sleeps between bursts, and jobs
    /// enqueued from several threads at once must still all run. A lost wake-up hangs here.
    @Test(.timeLimit(.minutes(1)))
    func everyJobRunsWhenWorkersSleepBetweenBursts() async {
        let executor = RuntimeExecutor(workers: 2, spinLimit: .zero)
        let ran = Counter()
        for _ in 0..<50 {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    // Producers on the global executor enqueue while the workers go to sleep.
                    group.addTask {
                        await withTaskGroup(of: Void.self) { inner in
                            for _ in 0..<20 {
                                inner.addTask(executorPreference: executor) { ran.increment() }
                            }
                        }
                    }
                }
            }
        }
        #expect(ran.value == 50 * 4 * 20)
    }

    /// The running thread's name (`Thread.current` is not for async code; a plain function is).
    private static func currentThreadName() -> String { Thread.current.name ?? "" }

    @Test func processesRunTheirHandlersOnTheRuntimesExecutor() async throws {
        struct ThreadName: GenServer {
            typealias Reply = String
            mutating func handleCall(_ request: Int, context: ServerContext<Self>) async throws -> String {
                RuntimeExecutorTests.currentThreadName()
            }
        }
        let runtime = Runtime(clock: ManualClock())
        let server = try await ServerRef.start(label: "thread-name", runtime: runtime) { ThreadName() }
        let name = try await server.call(1)
        #expect(name.hasPrefix("lasso-runtime-"), "ran on \(name)")
        server.stop()
    }
}
