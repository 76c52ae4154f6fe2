import Testing
@testable import Lasso
import LassoTransport
import Supervision

@Suite struct ChainStateBoardTests {
    @Test func aWebSocketChannelIsACandidateOnlyWhileConnectedAndKeepsItsBreakerState() throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "http://127.0.0.1:1", ws_url: "ws://127.0.0.1:1"}
                  - {id: beta, url: "http://127.0.0.1:2"}
            """, environment: [:])
        let board = ChainStateBoard(chain: try #require(config.chain(named: "ethereum")))
        let channels = {
            let snapshot = board.snapshot
            return Selection.orderedSlots(snapshot, method: "eth_chainId", strategy: .priority, now: .zero)
                .map { snapshot.channel(atSlot: $0) }
        }
        #expect(channels().map(\.description) == [Channel(providerID: "alpha", transport: .http).description,
                                                   Channel(providerID: "beta", transport: .http).description])
        // The breaker reports while disconnected; the channel appears only on connection, with that state.
        board.publish(health: ChannelHealth(phase: .open), provider: "alpha", transport: .ws)
        #expect(board.snapshot.providers[0].ws == nil)
        board.publish(webSocketConnected: true, provider: "alpha")
        #expect(board.snapshot.providers[0].ws?.phase == .open)
        board.publish(health: .healthy, provider: "alpha", transport: .ws)
        #expect(channels().contains(Channel(providerID: "alpha", transport: .ws)))
        board.publish(webSocketConnected: false, provider: "alpha")
        #expect(!channels().contains(Channel(providerID: "alpha", transport: .ws)))
        // Providers without a ws_url never get one; unknown providers change nothing.
        board.publish(webSocketConnected: true, provider: "nobody")
        #expect(board.snapshot.providers[1].ws == nil)
    }

    @Test func roundRobinCounterAdvances() throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers: [{id: alpha, url: "http://127.0.0.1:1"}]
            """, environment: [:])
        let board = ChainStateBoard(chain: try #require(config.chain(named: "ethereum")))
        #expect([board.nextRoundRobin(), board.nextRoundRobin(), board.nextRoundRobin()] == [0, 1, 2])
    }

    /// Issue #9 item 7: 70 made-up methods filled the 64-entry set, after which nothing more was
    /// ever learned. Now made-up names crowd out only each other.
    @Test func madeUpMethodNamesCannotStopAProviderFromLearningWhatItDoesNotSupport() throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: alpha, url: "http://127.0.0.1:1"}
            """, environment: [:])
        let board = ChainStateBoard(chain: try #require(config.chain(named: "ethereum")))
        func unsupported() -> Set<String> { board.snapshot.providers[0].unsupportedMethods }
        for index in 0..<500 { board.publish(unsupportedMethod: "junk_\(index)", provider: "alpha") }
        #expect(unsupported().count == ChainStateBoard.maxUnknownUnsupportedMethods, "made-up names take a bounded set")
        board.publish(unsupportedMethod: "trace_block", provider: "alpha")
        #expect(unsupported().contains("trace_block"), "a known method is always learned")
        board.publish(unsupportedMethod: "alchemy_getAssetTransfers", provider: "alpha")
        #expect(unsupported().contains("alchemy_getAssetTransfers"), "an unlisted one too: the oldest made-up name goes")
        #expect(!unsupported().contains("junk_0") && unsupported().contains("junk_499"))
        board.publish(unsupportedMethod: "x_" + String(repeating: "y", count: 100), provider: "alpha")
        #expect(!unsupported().contains { $0.hasPrefix("x_y") }, "a long unlisted name is not remembered")
        for index in 0..<500 { board.publish(unsupportedMethod: "more_\(index)", provider: "alpha") }
        #expect(unsupported().contains("trace_block"), "no number of made-up names pushes out a known one")
        #expect(unsupported().count == ChainStateBoard.maxUnknownUnsupportedMethods + 1)
    }

    /// What an attempt reads is resolved when it is published: each channel's route (the URL
    /// parsed once, the connected WebSocket) and breaker, laid out by slot in selection's order.
    @Test func eachChannelsRouteAndBreakerArePublishedBySlot() async throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: beta, priority: 2, url: "http://127.0.0.1:2/key"}
                  - {id: alpha, priority: 1, url: "https://alpha.example/v2/KEY", ws_url: "wss://alpha.example/ws"}
            """, environment: [:])
        let board = ChainStateBoard(chain: try #require(config.chain(named: "ethereum")))
        var state = board.current
        #expect(state.snapshot.providers.map(\.id) == ["alpha", "beta"])
        #expect(state.channels.map(\.description) == ["alpha/http", "alpha/ws", "beta/http", "beta/ws"])
        let alphaHTTP = try #require(state.slot(of: "alpha", transport: .http))
        guard case .http(let url)? = state.links[alphaHTTP].route else {
            Issue.record("alpha's HTTP channel has no route")
            return
        }
        #expect(url == UpstreamURL("https://alpha.example/v2/KEY"))
        #expect(state.links[try #require(state.slot(of: "alpha", transport: .ws))].route == nil, "not connected yet")
        #expect(state.links.allSatisfy { $0.breaker == nil })

        // A breaker publishes its reference when it starts.
        let breaker = try await ServerRef.start(label: "breaker", runtime: Runtime()) {
            CircuitBreaker(chain: "ethereum", provider: "beta", transport: .http, policy: CircuitBreakerPolicy(),
                           board: board, directory: BreakerDirectory())
        }
        state = board.current
        #expect(state.links[try #require(state.slot(of: "beta", transport: .http))].breaker == breaker)

        // A connection withdraws only what it published itself.
        board.publish(webSocketConnected: true, provider: "alpha")
        state = board.current
        let alphaWS = try #require(state.slot(of: "alpha", transport: .ws))
        #expect(state.links[alphaWS].route != nil && state.health(at: alphaWS) == .healthy)
        board.withdrawWebSocket(provider: "alpha", ifPublishedBy: breaker.pid)
        #expect(board.current.links[alphaWS].route != nil, "another process's report is left alone")
        board.withdrawWebSocket(provider: "alpha")
        #expect(board.current.links[alphaWS].route == nil && board.current.health(at: alphaWS) == nil)
        breaker.stop()
    }
}
