import Testing
@testable import Lasso

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
        let channels = { Selection.orderedCandidates(board.snapshot, method: "eth_chainId", strategy: .priority, now: .zero) }
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
}
