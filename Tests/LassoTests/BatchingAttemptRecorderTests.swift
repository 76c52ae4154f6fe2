import Foundation
import Testing
@testable import Lasso
import LassoTransport
import Supervision
import TestSupport

/// The pipeline's attempts reach breakers and the benchmark store once per loop turn: no count
/// lost, no verdict reordered, and a breaker still opens on the fifth consecutive failure.
@Suite struct BatchingAttemptRecorderTests {
    struct Stage {
        let loop: EventLoop
        let board: ChainStateBoard
        let benchmarks = BenchmarkStoreHandle()
        let runtime = Runtime()
        let directory = ChainDirectory()
        let breaker: ServerRef<CircuitBreaker>
        let recorder: BatchingAttemptRecorder
        let store: ServerRef<BenchmarkStoreServer>
        let channel = Channel(providerID: "alpha", transport: .http)

        init() async throws {
            loop = try EventLoop()
            let config = try LassoConfig.parse(yaml: """
                chains:
                  ethereum:
                    chain_id: 1
                    providers:
                      - {id: alpha, url: "http://127.0.0.1:1"}
                """, environment: [:])
            let chain = try #require(config.chain(named: "ethereum"))
            board = ChainStateBoard(chain: chain)
            let runtime = self.runtime
            let board = self.board
            breaker = try await ServerRef.start(label: "cb", runtime: runtime) {
                CircuitBreaker(chain: "ethereum", provider: "alpha", transport: .http,
                               policy: CircuitBreakerPolicy(failureThreshold: 5), board: board, directory: BreakerDirectory())
            }
            store = try await Self.startStore(runtime: runtime, directory: directory, benchmarks: benchmarks)
            recorder = BatchingAttemptRecorder(loop: loop, benchmarks: benchmarks)
        }

        /// A store incarnation that publishes itself in `benchmarks`, as lassod's does.
        static func startStore(runtime: Runtime, directory: ChainDirectory,
                               benchmarks: BenchmarkStoreHandle) async throws -> ServerRef<BenchmarkStoreServer> {
            try await ServerRef.start(label: "BenchmarkStore", runtime: runtime) {
                BenchmarkStoreServer(directory: directory, chains: { ["ethereum"] }, handle: benchmarks)
            }
        }

        func attempt(_ verdict: ErrorClassification, latency: UInt64 = 1_000) -> FinishedAttempt {
            FinishedAttempt(breaker: breaker, channel: channel, verdict: verdict, ticket: .regular,
                            sample: BenchmarkSample(chain: "ethereum",
                                                    key: MetricKey(providerID: "alpha", method: "eth_chainId", transport: .http),
                                                    latencyMicros: latency, succeeded: verdict == .success, at: MonotonicInstant(milliseconds: 1)))
        }

        func phase() -> BreakerPhase? { board.snapshot.providers.first?.health(of: .http)?.phase }

        /// Samples `store` (the stage's unless given) holds; 0 while it has not answered (a poll
        /// on a loaded machine may outlast the call timeout: the caller's `waitFor` asks again).
        func count(in store: ServerRef<BenchmarkStoreServer>? = nil) async -> UInt64 {
            guard case .stats(let stats)? = try? await (store ?? self.store).call(.stats(chain: "ethereum",
                                                                                      key: MetricKey(providerID: "alpha", method: "eth_chainId", transport: .http))) else { return 0 }
            return stats?.count ?? 0
        }
    }

    @Test func theFifthFailureInOneLoopTurnOpensTheBreaker() async throws {
        let stage = try await Stage()
        defer { stage.loop.stop() }
        // Four failures, a success (which resets the count), then five failures — all in one turn.
        let outcomes: [ErrorClassification] = Array(repeating: .providerFault(.timeout), count: 4) + [.success]
            + Array(repeating: .providerFault(.timeout), count: 4)
        stage.loop.execute { [recorder = stage.recorder] in
            for outcome in outcomes { recorder.record(stage.attempt(outcome)) }
        }
        // Nine verdicts in order leave it closed: the success broke the first run of failures.
        #expect(await waitFor { await stage.count() == 9 })
        #expect(stage.phase() == .closed)
        stage.loop.execute { [recorder = stage.recorder] in recorder.record(stage.attempt(.providerFault(.timeout))) }
        #expect(await waitFor { stage.phase() == .open })
    }

    @Test func everySampleArrivesWhateverThreadRecordsIt() async throws {
        let stage = try await Stage()
        defer { stage.loop.stop() }
        let perThread = 500
        stage.loop.execute { [recorder = stage.recorder] in
            for index in 0..<perThread { recorder.record(stage.attempt(.success, latency: UInt64(index))) }
        }
        // Off the loop (a provider's WebSocket answers on its process's thread).
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { for _ in 0..<perThread { stage.recorder.record(stage.attempt(.success)) } }
            }
        }
        #expect(await waitFor { await stage.count() == UInt64(5 * perThread) })
        #expect(stage.phase() == .closed)
    }

    @Test func samplesReachTheStoreIncarnationThatPublishedItselfLast() async throws {
        let stage = try await Stage()
        defer { stage.loop.stop() }
        #expect(stage.benchmarks.current == stage.store)
        stage.recorder.record(stage.attempt(.success))
        #expect(await waitFor { await stage.count() == 1 })

        // The store restarts: its successor publishes itself when it starts, and the next
        // samples reach it with no lookup by name.
        stage.store.stop()
        _ = await stage.store.process.waitForExit()
        let successor = try await Stage.startStore(runtime: stage.runtime, directory: stage.directory,
                                                   benchmarks: stage.benchmarks)
        defer { successor.stop() }
        #expect(stage.benchmarks.current == successor)
        stage.recorder.record(stage.attempt(.success))
        stage.recorder.record(stage.attempt(.success))
        #expect(await waitFor { await stage.count(in: successor) == 2 })
    }
}
