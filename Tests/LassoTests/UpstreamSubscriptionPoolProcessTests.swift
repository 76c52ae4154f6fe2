import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// The subscription processes of one chain in front of one simulated provider, without the
/// client endpoint: client subscriptions are written into the table as the endpoint writes
/// them (their replies go nowhere, no listener is attached) and the pool's state is read with
/// `status`. The board is driven by the test (no `TransportRegistry`), and time by a
/// `ManualClock`.
final class SubscriptionProcessesFixture: Sendable {
    struct Drill: Error {}

    let loop: EventLoop
    let alpha: SimulatedProviderServer
    let clock = ManualClock()
    let board: ChainStateBoard
    let names = ProcessNames()
    let table = SubscriptionTable(chain: "ethereum")
    let maxKeys: Int
    let supervisor: Supervisor
    static let connectionID = "WSConnection(alpha)"

    init(maxKeys: Int = ClientWebSocketEndpoint.maxKeys) async throws {
        self.maxKeys = maxKeys
        loop = try EventLoop()
        alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: SimulatedChain(chainID: 1, blockIntervalMs: 60_000)),
                                            loop: loop)
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "\(alpha.url)", ws_url: "\(alpha.webSocketURL)"}
            """, environment: [:])
        let chain = try #require(config.chain(named: "ethereum"))
        board = ChainStateBoard(chain: chain)
        let provider = try #require(chain.providers.first)
        var connection = try #require(WSConnection.childSpec(chain: chain, provider: provider, loop: loop, board: board,
                                                             names: names, listener: SubscriptionPoolListener(chain: "ethereum", names: names)))
        connection.shutdown = .brutalKill
        let runtime = Runtime(clock: clock)
        let pipeline = RequestPipeline(sender: ChannelSender(http: HTTPUpstreamSender(clients: HTTPClientHandle())),
                                       recorder: ImmediateAttemptRecorder(journal: Journal()), clock: runtime.clock)
        let filler = GapFiller(pipeline: pipeline, clock: runtime.clock, ids: RequestIDGenerator())
        let settings = SubscriptionSettings(global: config.subscriptions, chain: chain)
        let (table, board, names) = (table, board, names)
        supervisor = try await Supervisor.start(name: "ChainSupervisor(ethereum)", children: [
            connection,
            UpstreamSubscriptionPool.childSpec(chain: chain, board: board, names: names, table: table,
                                               confirmationTimeout: .seconds(30)),
            StreamSupervisor.childSpec(chain: "ethereum", table: table, names: names),
            ClientSubscriptionRegistry.childSpec(chain: "ethereum", names: names, table: table) { key in
                StreamCoordinator.childSpec(key: key, chain: "ethereum", table: table, board: board, names: names,
                                            sockets: ClientSockets(), filler: filler, settings: settings, logger: nil)
            },
        ], runtime: runtime)
        try #require(await waitFor { await self.webSocketAnswers() })
        board.publish(webSocketConnected: true, provider: "alpha")
    }

    var pool: ServerRef<UpstreamSubscriptionPool>? { UpstreamSubscriptionPool.running(chain: "ethereum", names: names) }
    var registry: ServerRef<ClientSubscriptionRegistry>? { ClientSubscriptionRegistry.running(chain: "ethereum", names: names) }
    var connection: ServerRef<WSConnection>? {
        names.server(WSConnection.processKey(chain: "ethereum", provider: "alpha"), as: WSConnection.self)
    }

    /// Whether alpha's connection is up: it answers a request over its socket.
    func webSocketAnswers() async -> Bool {
        guard let connection else { return false }
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#.utf8)
        return await withCheckedContinuation { continuation in
            connection.cast(.send(body: body, timeout: .seconds(30)) { reply in
                if case .response = reply { continuation.resume(returning: true) } else { continuation.resume(returning: false) }
            })
        }
    }

    /// A client subscription to `key`, as the endpoint makes it.
    func subscribe(_ key: SubscriptionKey, connection: UInt = 1) throws {
        switch table.subscribe(connection: WebSocketConnectionID(rawValue: connection), requestID: Array("1".utf8), key: key,
                               maxPerConnection: 128, maxKeys: maxKeys) {
        case .added(_, let coordinator?): coordinator.cast(.clientsChanged)
        case .added(_, nil): try #require(registry).cast(.keyAdded(key))
        case .refused: break
        }
    }

    /// A client connection closing, as the endpoint reports it.
    func disconnect(_ connection: UInt) {
        for coordinator in table.disconnect(WebSocketConnectionID(rawValue: connection)) { coordinator.cast(.clientsChanged) }
    }

    /// The pool's status once `condition` holds for it.
    @discardableResult
    func status(_ what: String, _ condition: @escaping ([UpstreamSubscriptionStatus]) -> Bool) async throws
        -> [UpstreamSubscriptionStatus] {
        var last: [UpstreamSubscriptionStatus] = []
        try #require(await waitFor {
            guard let pool = self.pool else { return false }
            last = (try? await pool.call(.status)) ?? []
            return condition(last)
        })
        return last
    }

    func shutdown() async {
        await supervisor.stop()
        alpha.stop()
        loop.stop()
    }
}

@Suite(.serialized) struct UpstreamSubscriptionPoolProcessTests {
    static let newHeads = SubscriptionKey(kind: .newHeads)
    static func confirmed(_ status: [UpstreamSubscriptionStatus]) -> Bool {
        status.count == 1 && status[0].provider == "alpha" && status[0].upstreamID != nil && status[0].clients == 1
    }

    @Test func aKeyLeftWithoutAProviderIsRetriedUntilOneIsEligible() async throws {
        let fixture = try await SubscriptionProcessesFixture()
        try fixture.subscribe(Self.newHeads)
        try await fixture.status("placed on alpha", Self.confirmed)
        let pool = try #require(fixture.pool)

        // The race of a reconnect: the pool hears "down" and then "up" before the board lists
        // the ws channel again, so placement finds no candidate either time.
        fixture.board.publish(webSocketConnected: false, provider: "alpha")
        pool.cast(.connection(provider: "alpha", up: false))
        pool.cast(.connection(provider: "alpha", up: true))
        try await fixture.status("waiting for a provider") { $0.first.map { $0.provider == nil && $0.clients == 1 } == true }
        fixture.board.publish(webSocketConnected: true, provider: "alpha")

        // No other connection will come up: the retry timer, armed by the handler that left the
        // key without a provider (which `status` above came after), places the key.
        fixture.clock.advance(by: UpstreamSubscriptionPool.retryInterval)
        try await fixture.status("placed again by the retry", Self.confirmed)
        #expect(fixture.alpha.provider.requestCounts["eth_subscribe"] == 2)
        await fixture.shutdown()
    }

    @Test func aRestartedPoolGetsEveryKeyBackFromItsCoordinator() async throws {
        let fixture = try await SubscriptionProcessesFixture()
        try fixture.subscribe(Self.newHeads)
        try fixture.subscribe(SubscriptionKey(kind: .logs))
        let before = try await fixture.status("both placed") { $0.count == 2 && $0.allSatisfy { $0.upstreamID != nil } }
        let old = try #require(fixture.pool)

        old.stop(.failed(SubscriptionProcessesFixture.Drill()))
        _ = await old.process.waitForExit()
        let status = try await fixture.status("both placed by the new pool") {
            $0.count == 2 && $0.allSatisfy { $0.upstreamID != nil && $0.clients == 1 }
        }
        #expect(status.map(\.key.description) == ["logs{}", "newHeads"])
        #expect(fixture.pool != old)
        // New upstream subscriptions, not the old incarnation's.
        #expect(Set(status.compactMap(\.upstreamID)).isDisjoint(with: before.compactMap(\.upstreamID)))
        await fixture.shutdown()
    }

    @Test func aBrutallyKilledConnectionCountsAsDown() async throws {
        let fixture = try await SubscriptionProcessesFixture()
        try fixture.subscribe(Self.newHeads)
        try await fixture.status("placed on alpha", Self.confirmed)

        // Killed outright, the connection says nothing; the pool's monitor notices.
        try await fixture.supervisor.terminateChild(SubscriptionProcessesFixture.connectionID)
        try await fixture.status("lost its provider") { $0.first.map { $0.provider == nil && $0.upstreamID == nil } == true }

        _ = try await fixture.supervisor.restartChild(SubscriptionProcessesFixture.connectionID)
        try await fixture.status("placed on the new connection", Self.confirmed)
        await fixture.shutdown()
    }

    @Test func eventsInFlightWhenTheLastClientLeftSendNoSecondUnsubscribe() async throws {
        let fixture = try await SubscriptionProcessesFixture()
        try fixture.subscribe(Self.newHeads)
        let placed = try await fixture.status("placed on alpha", Self.confirmed)
        let upstreamID = try #require(placed.first?.upstreamID)
        let pool = try #require(fixture.pool)

        // The last client leaves: the pool unsubscribes upstream.
        fixture.disconnect(1)
        try await fixture.status("dropped") { $0.isEmpty }
        #expect(await waitFor { fixture.alpha.provider.requestCounts["eth_unsubscribe"] == 1 })

        // Two events the provider sent before it read that eth_unsubscribe arrive now.
        let event = Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"\#(upstreamID)","result":{}}}"#.utf8)
        pool.cast(.upstreamMessage(provider: "alpha", body: event))
        pool.cast(.upstreamMessage(provider: "alpha", body: event))
        // The pool has handled both once it answers a call; whatever it sent alpha went out on
        // the connection before the request below, which alpha answers after reading it.
        _ = try await pool.call(.status)
        #expect(await fixture.webSocketAnswers())
        #expect(fixture.alpha.provider.requestCounts["eth_unsubscribe"] == 1, "one eth_unsubscribe per upstream id")
        await fixture.shutdown()
    }

    @Test func anUpstreamErrorForALiveSubscriptionIsALoss() async throws {
        let fixture = try await SubscriptionProcessesFixture()
        try fixture.subscribe(Self.newHeads)
        let placed = try await fixture.status("placed on alpha", Self.confirmed)
        let upstreamID = try #require(placed.first?.upstreamID)
        let pool = try #require(fixture.pool)

        // The provider ends the subscription with an error (as a node does when it drops it).
        let error = #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"\#(upstreamID)","error":{"code":-32000,"message":"subscription dropped"}}}"#
        pool.cast(.upstreamMessage(provider: "alpha", body: Array(error.utf8)))
        try await fixture.status("lost") { $0.first.map { $0.upstreamID != upstreamID } == true }
        #expect(await waitFor { fixture.alpha.provider.requestCounts["eth_unsubscribe"] == 1 }, "the dead id is let go")
        #expect(await waitFor { fixture.table.statuses().first?.lastFailover?.reason == "subscription_error" })

        // alpha is the only provider: skipped for that placement, it is placed again by the retry.
        fixture.clock.advance(by: UpstreamSubscriptionPool.retryInterval)
        let again = try await fixture.status("placed again", Self.confirmed)
        #expect(again.first?.upstreamID != upstreamID)
        await fixture.shutdown()
    }

    @Test func malformedUpstreamEventsAreDroppedAndTheStreamLives() async throws {
        let fixture = try await SubscriptionProcessesFixture()
        try fixture.subscribe(Self.newHeads)
        let placed = try await fixture.status("placed on alpha", Self.confirmed)
        let upstreamID = try #require(placed.first?.upstreamID)
        let pool = try #require(fixture.pool)
        let coordinator = try #require(fixture.table.coordinators().first)

        // A provider sends garbage under a live subscription id: no number, a number too large
        // for 64 bits, a result that is not an object, truncated JSON.
        for result in [#"{"hash":"0x01"}"#, #"{"number":"0x1ffffffffffffffffffff","hash":"0x01","parentHash":"0x02"}"#,
                       #""just a string""#, #"{"number":"#] {
            let body = #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"\#(upstreamID)","result":\#(result)}}"#
            pool.cast(.upstreamMessage(provider: "alpha", body: Array(body.utf8)))
        }
        _ = try await pool.call(.status)
        _ = try await coordinator.call(.status)
        #expect(coordinator.process.isAlive)
        #expect(fixture.table.statuses().first?.counters.delivered == 0)
        #expect(fixture.table.statuses().first?.counters.failovers == 0)
        #expect(try await pool.call(.status).first?.upstreamID == upstreamID, "the upstream is kept")
        await fixture.shutdown()
    }

    @Test func aChainFollowsAtMostMaxKeysDistinctKeys() async throws {
        let fixture = try await SubscriptionProcessesFixture(maxKeys: 2)
        let emitter = SubscriptionKey(kind: .logs, filter: #"{"address":["\#(SimulatedChain.logEmitters[0])"]}"#)
        try fixture.subscribe(Self.newHeads)
        try fixture.subscribe(SubscriptionKey(kind: .logs))
        try fixture.subscribe(emitter)
        try fixture.subscribe(Self.newHeads, connection: 2)
        let registry = try #require(fixture.registry)
        try await fixture.status("two keys placed") { $0.count == 2 && $0.allSatisfy { $0.upstreamID != nil } }
        #expect(try await registry.call(.subscriptions(nil)).count == 3, "a third key is refused, a known one is not")
        let status = try #require(try await fixture.pool?.call(.status))
        #expect(status.map(\.key) == [SubscriptionKey(kind: .logs), Self.newHeads])
        #expect(status.map(\.clients) == [1, 2])
        await fixture.shutdown()
    }
}
