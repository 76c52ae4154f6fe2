import Synchronization
import Testing
@testable import Lasso
import Supervision
import TestSupport

@Suite struct PubSubTests {
    struct Inbox: GenServer {}

    @Test func publishReachesEverySubscriberOfTheTopicUntilItsProcessExits() async throws {
        let runtime = Runtime(clock: ManualClock())
        let pubsub = PubSub()
        let first = try await ServerRef.start(label: "a", runtime: runtime) { Inbox() }
        let second = try await ServerRef.start(label: "b", runtime: runtime) { Inbox() }
        let received = Mutex<[String]>([])
        try pubsub.subscribe("breakers", process: first.process) { m in received.withLock { $0.append("a:\(m.event)") } }
        try pubsub.subscribe("breakers", process: second.process) { m in received.withLock { $0.append("b:\(m.event)") } }
        try pubsub.subscribe("routing", process: second.process) { m in received.withLock { $0.append("b:\(m.event)") } }

        #expect(pubsub.publish(PubSub.Message(topic: "breakers", event: "opened")) == 2)
        #expect(received.withLock { $0 } == ["a:opened", "b:opened"])

        second.stop()
        await second.process.waitForExit()
        #expect(pubsub.publish(PubSub.Message(topic: "breakers", event: "closed")) == 1)
        #expect(pubsub.publish(PubSub.Message(topic: "routing", event: "selected")) == 0)
        pubsub.unsubscribe("breakers", process: first.process)
        #expect(pubsub.publish(PubSub.Message(topic: "breakers", event: "again")) == 0)
        #expect(received.withLock { $0 } == ["a:opened", "b:opened", "a:closed"])
    }
}

@Suite struct PubSubProcessTests {
    struct Inbox: GenServer {}
    struct Drill: Error {}

    @Test func subscriptionsSurviveARestartOfThePubSubProcessWhichStillRemovesExitedSubscribers() async throws {
        let runtime = Runtime()
        let pubsub = PubSub()
        let root = try await Supervisor.start(name: "Application", children: [pubsub.childSpec()], runtime: runtime)
        let subscriber = try await ServerRef.start(label: "subscriber", runtime: runtime) { Inbox() }
        let received = Mutex<[String]>([])
        try pubsub.subscribe("chain:ethereum", process: subscriber.process) { m in received.withLock { $0.append(m.event) } }

        let first = try #require(try await root.whichChildren().first?.process)
        first.stop(.failed(Drill()))
        try #require(try await waitFor {
            let now = try await root.whichChildren().first?.process
            return now != nil && now != first
        })
        #expect(pubsub.publish(PubSub.Message(topic: "chain:ethereum", event: "breaker.transition")) == 1)
        #expect(received.withLock { $0 } == ["breaker.transition"])

        // The new incarnation adopted the subscriber's monitor: its exit removes it.
        let keeper = try #require(try await root.whichChildren().first?.process?.server(RegistryKeeper.self))
        #expect(try await keeper.call(.watchedCount) == 1)
        subscriber.stop()
        await subscriber.process.waitForExit()
        try #require(try await waitFor { try await keeper.call(.watchedCount) == 0 })
        #expect(pubsub.publish(PubSub.Message(topic: "chain:ethereum", event: "breaker.transition")) == 0)
        await root.stop()
    }

    @Test func breakerTransitionsAndAvailabilityChangesArePublishedAndLogged() async throws {
        let runtime = Runtime(clock: ManualClock())
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "http://127.0.0.1:1"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        let board = ChainStateBoard(chain: chain)
        let pubsub = PubSub()
        let sink = CapturingLogSink()
        let logger = Logger(minimumLevel: .info, sink: sink)
        let owner = try await ServerRef.start(label: "ChainSupervisor(ethereum)", runtime: runtime) { Inbox() }
        try ChainEventLog.subscribe(chain: "ethereum", pubsub: pubsub, process: owner.process, logger: logger)

        let breaker = try await ServerRef.start(label: "breaker", runtime: runtime) {
            CircuitBreaker(chain: "ethereum", provider: "alpha", transport: .http, policy: CircuitBreakerPolicy(),
                           board: board, directory: BreakerDirectory(), pubsub: pubsub)
        }
        _ = try await breaker.call(.override(.open))
        _ = try await breaker.call(.override(.close))
        let breakerLines = sink.lines.filter { $0.contains(#""event":"breaker.transition""#) }
        #expect(breakerLines.count == 2, "the start (from none) is debug, below the logger's level")
        #expect(breakerLines.first?.contains(#""level":"warning""#) == true)
        #expect(breakerLines.first?.contains(#""from":"closed","to":"forced_open""#) == true)
        #expect(breakerLines.last?.contains(#""from":"forced_open","to":"closed""#) == true)

        let pool = try await ServerRef.start(label: "pool", runtime: runtime) {
            ProviderPool(chain: chain, board: board, pubsub: pubsub)
        }
        pool.cast(.probeSucceeded(provider: "alpha", head: 10, atMs: 1))
        for at in 2...4 { pool.cast(.probeFailed(provider: "alpha", verdict: .providerFault(.timeout), atMs: UInt64(at))) }
        _ = try await pool.call(.status)
        let availability = sink.lines.filter { $0.contains(#""event":"provider.availability""#) }
        #expect(availability.count == 3)
        #expect(availability.map { $0.contains(#""from":"unknown","to":"up""#) } == [true, false, false])
        #expect(availability.last?.contains(#""from":"degraded","to":"down""#) == true)
        #expect(availability.last?.contains(#""level":"warning""#) == true)

        // The subscription ends with its process.
        owner.stop()
        await owner.process.waitForExit()
        _ = try await breaker.call(.override(.open))
        #expect(sink.lines.filter { $0.contains(#""event":"breaker.transition""#) }.count == 2)
    }
}
