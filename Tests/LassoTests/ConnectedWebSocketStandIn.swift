import Testing
@testable import Lasso
import Supervision

/// Stands for a provider's connected upstream WebSocket where a test only needs its `ws`
/// channel to be up (selection, placement, status); nothing runs behind it, and a request sent
/// through it fails as a closed connection.
struct ConnectedWebSocketStandIn: UpstreamWebSocket {
    var carrier: ProcessRef? { nil }

    func send(_ request: [UInt8], timeout: Duration, completion: @escaping @Sendable (UpstreamReply) -> Void) {
        completion(.failure(.connectionClosed))
    }
}

extension ChainStateBoard {
    /// Marks `provider`'s WebSocket channel up (with a stand-in connection) or down, as its
    /// `WSConnection` would when its socket connects or drops.
    func publish(webSocketConnected connected: Bool, provider: String) {
        if connected {
            publish(webSocket: ConnectedWebSocketStandIn(), provider: provider)
        } else {
            withdrawWebSocket(provider: provider)
        }
    }
}

extension ChainStateBoard {
    /// The board of a chain `ethereum` whose one provider is `provider`, reached at
    /// `webSocketURL`: for a `WSConnection` tested on its own.
    static func alone(provider: String, webSocketURL: String) throws -> ChainStateBoard {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                providers:
                  - {id: \(provider), url: "http://127.0.0.1:1", ws_url: "\(webSocketURL)"}
            """, environment: [:])
        return try ChainStateBoard(chain: #require(config.chain(named: "ethereum")))
    }
}
