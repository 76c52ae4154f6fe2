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
        let breakers = BreakerDirectory()
        let names = ProcessNames()
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
            let runtime = Runtime()
            let board = self.board, breakers = self.breakers
            _ = try await ServerRef.start(label: "cb", runtime: runtime) {
                CircuitBreaker(chain: "ethereum", provider: "alpha", transport: .http,
                               policy: CircuitBreakerPolicy(failureThreshold: 5), board: board, directory: breakers)
            }
            let directory = ChainDirectory()
            store = try await ServerRef.start(label: "BenchmarkStore", runtime: runtime) {
                BenchmarkStoreServer(directory: directory, chains: { ["ethereum"] })
            }
            try names.registry.register("BenchmarkStore", value: (), process: store.process)
            recorder = BatchingAttemptRecorder(loop: loop, breakers: breakers, names: names)
        }

        func attempt(_ outcome: CircuitBreakerMachine.Outcome, latency: UInt64 = 1_000) -> FinishedAttempt {
            FinishedAttempt(chain: "ethereum", channel: channel, outcome: outcome, ticket: .regular,
                            sample: BenchmarkSample(chain: "ethereum",
                                                    key: MetricKey(providerID: "alpha", method: "eth_chainId", transport: .http),
                                                    latencyMicros: latency, succeeded: outcome == .success, at: MonotonicInstant(milliseconds: 1)))
        }

        func phase() -> BreakerPhase? { board.snapshot.providers.first?.health(of: .http)?.phase }

        /// Samples the store holds; 0 while it has not answered (a poll on a loaded machine may
        /// outlast the call timeout: the caller's `waitFor` asks again).
        func count() async -> UInt64 {
            guard case .stats(let stats)? = try? await store.call(.stats(chain: "ethereum",
                                                                         key: MetricKey(providerID: "alpha", method: "eth_chainId", transport: .http))) else { return 0 }
            return stats?.count ?? 0
        }
    }

    @Test func theFifthFailureInOneLoopTurnOpensTheBreaker() async throws {
        let stage = try await Stage()
        defer { stage.loop.stop() }
        // Four failures, a success (which resets the count), then five failures — all in one turn.
        let outcomes: [CircuitBreakerMachine.Outcome] = Array(repeating: .providerFault, count: 4) + [.success]
            + Array(repeating: .providerFault, count: 4)
        stage.loop.execute { [recorder = stage.recorder] in
            for outcome in outcomes { recorder.record(stage.attempt(outcome)) }
        }
        // Nine verdicts in order leave it closed: the success broke the first run of failures.
        #expect(await waitFor { await stage.count() == 9 })
        #expect(stage.phase() == .closed)
        stage.loop.execute { [recorder = stage.recorder] in recorder.record(stage.attempt(.providerFault)) }
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
}
