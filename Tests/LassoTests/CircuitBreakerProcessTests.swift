import Testing
@testable import Lasso
@testable import Supervision

@Suite struct CircuitBreakerProcessTests {
    private static let yaml = """
        chains:
          ethereum:
            chain_id: 1
            providers:
              - {id: alpha, url: "http://127.0.0.1:1/key", ws_url: "ws://127.0.0.1:1/ws"}
              - {id: beta, url: "http://127.0.0.1:2"}
        """

    private struct Fixture {
        let clock = ManualClock()
        let runtime: Runtime
        let board: ChainStateBoard
        let breaker: ServerRef<CircuitBreaker>

        init(policy: CircuitBreakerPolicy = CircuitBreakerPolicy()) async throws {
            runtime = Runtime(clock: clock)
            let config = try LassoConfig.parse(yaml: CircuitBreakerProcessTests.yaml, environment: [:])
            let chain = try #require(config.chain(named: "ethereum"))
            let board = ChainStateBoard(chain: chain)
            self.board = board
            breaker = try await ServerRef.start(label: "breaker", runtime: runtime) {
                CircuitBreaker(chain: "ethereum", provider: "alpha", transport: .http, policy: policy, board: board,
                               directory: BreakerDirectory())
            }
        }

        /// The health the board publishes for alpha's HTTP channel, after the breaker has
        /// handled everything sent so far.
        func published() async throws -> ChannelHealth? {
            _ = try await breaker.call(.status)
            return board.snapshot.providers.first { $0.id == "alpha" }?.http
        }
    }

    @Test func consecutiveProviderFaultsOpenTheBreakerAndTheBoardShowsIt() async throws {
        let fixture = try await Fixture()
        for _ in 0..<4 { fixture.breaker.cast(.finished(.providerFault, .regular)) }
        #expect(try await fixture.published()?.phase == .closed)
        fixture.breaker.cast(.finished(.providerFault, .regular))
        #expect(try await fixture.published()?.phase == .open)
        // The other channels are untouched.
        fixture.board.publish(webSocketConnected: true, provider: "alpha")
        #expect(fixture.board.snapshot.providers.first { $0.id == "alpha" }?.ws?.phase == .closed)
    }

    @Test func callerFaultsNeverCount() async throws {
        let fixture = try await Fixture()
        for _ in 0..<20 { fixture.breaker.cast(.finished(.neutral, .regular)) }
        #expect(try await fixture.published()?.phase == .closed)
    }

    @Test func openTurnsHalfOpenByTimerWithoutTrafficThenClosesAfterTwoTrials() async throws {
        let fixture = try await Fixture()
        for _ in 0..<5 { fixture.breaker.cast(.finished(.providerFault, .regular)) }
        #expect(try await fixture.published()?.phase == .open)
        fixture.clock.advance(by: .milliseconds(59_999))
        #expect(try await fixture.published()?.phase == .open)
        fixture.clock.advance(by: .milliseconds(1))
        #expect(try await fixture.published()?.phase == .halfOpen)

        guard case .allowed(let ticket) = try await fixture.breaker.call(.admit) else {
            Issue.record("half-open breaker refused the first trial")
            return
        }
        guard case .rejected(.trialInFlight) = try await fixture.breaker.call(.admit) else {
            Issue.record("half-open breaker admitted a second concurrent trial")
            return
        }
        fixture.breaker.cast(.finished(.success, ticket))
        guard case .allowed(let second) = try await fixture.breaker.call(.admit) else {
            Issue.record("no second trial after the first succeeded")
            return
        }
        fixture.breaker.cast(.finished(.success, second))
        #expect(try await fixture.published()?.phase == .closed)
    }

    /// Requests and health probes ask for admission through one exchange.
    @Test func theAdmissionExchangeGivesATicketOrNothing() async throws {
        let fixture = try await Fixture()
        #expect(await CircuitBreaker.admission(from: nil) == .regular, "no breaker started yet: as if closed")
        #expect(await CircuitBreaker.admission(from: fixture.breaker) == .regular, "closed")
        for _ in 0..<5 { fixture.breaker.cast(.finished(.providerFault, .regular)) }
        #expect(try await fixture.published()?.phase == .open)
        #expect(await CircuitBreaker.admission(from: fixture.breaker) == nil, "open: do not send")
        fixture.clock.advance(by: .seconds(60))
        #expect(try await fixture.published()?.phase == .halfOpen)
        let trial = await CircuitBreaker.admission(from: fixture.breaker)
        guard case .trial? = trial else {
            Issue.record("half-open breaker gave no trial ticket: \(String(describing: trial))")
            return
        }
        #expect(await CircuitBreaker.admission(from: fixture.breaker) == nil, "one trial at a time")
        fixture.breaker.stop()
        _ = await fixture.breaker.process.waitForExit()
        #expect(await CircuitBreaker.admission(from: fixture.breaker) == .regular, "gone: as if none had started")
    }

    @Test func aTrialWhoseTicketWasLostCanBeAbandoned() async throws {
        let fixture = try await Fixture()
        for _ in 0..<5 { fixture.breaker.cast(.finished(.providerFault, .regular)) }
        _ = try await fixture.published()
        fixture.clock.advance(by: .seconds(60))
        guard case .allowed = try await fixture.breaker.call(.admit) else {
            Issue.record("half-open breaker refused the trial")
            return
        }
        // The caller timed out and never got the ticket: without this the slot stays taken.
        fixture.breaker.cast(.abandonTrial)
        guard case .allowed = try await fixture.breaker.call(.admit) else {
            Issue.record("the abandoned trial's slot was not freed")
            return
        }
    }

    @Test func aFaultInHalfOpenReopens() async throws {
        let fixture = try await Fixture()
        for _ in 0..<5 { fixture.breaker.cast(.finished(.providerFault, .regular)) }
        _ = try await fixture.published()
        fixture.clock.advance(by: .seconds(60))
        #expect(try await fixture.published()?.phase == .halfOpen)
        guard case .allowed(let ticket) = try await fixture.breaker.call(.admit) else {
            Issue.record("half-open breaker refused a trial")
            return
        }
        fixture.breaker.cast(.finished(.providerFault, ticket))
        #expect(try await fixture.published()?.phase == .open)
        // And the recovery timer is armed again.
        fixture.clock.advance(by: .seconds(60))
        #expect(try await fixture.published()?.phase == .halfOpen)
    }

    @Test func rateLimitCoolsDownForRetryAfterWithoutOpening() async throws {
        let fixture = try await Fixture()
        fixture.breaker.cast(.finished(.rateLimited(retryAfter: .milliseconds(7_000)), .regular))
        let health = try #require(try await fixture.published())
        #expect(health.phase == .closed)
        let now = CircuitBreaker.now(ServerContext(core: fixture.breaker.core))
        #expect(health.isCoolingDown(at: now))
        #expect(!health.isCoolingDown(at: now.advanced(byMilliseconds: 7_000)))
        fixture.clock.advance(by: .seconds(7))
        #expect(try await fixture.published()?.cooldownUntil == nil)
    }

    @Test func adminOverridesForceOpenCloseAndReset() async throws {
        let fixture = try await Fixture()
        _ = try await fixture.breaker.call(.override(.open))
        #expect(try await fixture.published()?.phase == .forcedOpen)
        // A forced-open breaker never recovers on its own.
        fixture.clock.advance(by: .seconds(3600))
        #expect(try await fixture.published()?.phase == .forcedOpen)
        _ = try await fixture.breaker.call(.override(.close))
        #expect(try await fixture.published()?.phase == .closed)
        for _ in 0..<5 { fixture.breaker.cast(.finished(.providerFault, .regular)) }
        #expect(try await fixture.published()?.phase == .open)
        _ = try await fixture.breaker.call(.override(.reset))
        #expect(try await fixture.published()?.phase == .closed)
    }

    @Test func aRestartedBreakerPublishesClosedAgain() async throws {
        let clock = ManualClock()
        let runtime = Runtime(clock: clock)
        let config = try LassoConfig.parse(yaml: Self.yaml, environment: [:])
        let board = ChainStateBoard(chain: try #require(config.chain(named: "ethereum")))
        let directory = BreakerDirectory()
        let spec = CircuitBreaker.childSpec(chain: "ethereum", provider: "beta", transport: .http,
                                            policy: CircuitBreakerPolicy(), board: board, directory: directory)
        #expect(spec.id == "CircuitBreaker(beta, http)")
        let supervisor = try await Supervisor.start(name: "ProviderSupervisor(beta)", children: [spec], runtime: runtime)
        let first = try #require(try await supervisor.whichChildren()[0].process?.server(CircuitBreaker.self))
        _ = try await first.call(.override(.open))
        #expect(board.snapshot.providers.first { $0.id == "beta" }?.http.phase == .forcedOpen)
        first.stop(.failed(CircuitBreakerTestCrash()))
        await first.process.waitForExit()
        let second = try #require(try await supervisor.whichChildren()[0].process?.server(CircuitBreaker.self))
        #expect(second != first)
        #expect(directory.breaker(chain: "ethereum", channel: Channel(providerID: "beta", transport: .http)) == second)
        _ = try await second.call(.status)
        #expect(board.snapshot.providers.first { $0.id == "beta" }?.http.phase == .closed)
    }
}

private struct CircuitBreakerTestCrash: Error {}
