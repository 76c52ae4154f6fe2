import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// `server.max_connections`: the clients lassod holds at most, shared by its event loops. A client
/// beyond it is not refused: it waits in the kernel's backlog and is served once a slot frees.
@Suite struct ConnectionLimitEndToEndTests {
    @Test func eachLoopEnforcesItsShareOfMaxConnections() throws {
        let config = try LassoConfig.parse(yaml: """
            server: {event_loops: 4, max_connections: 10001, max_body_bytes: 2048}
            chains: {e: {chain_id: 1, providers: [{id: a, url: "https://a.example"}]}}
            """, environment: [:])
        let listener = LassoApplication.listenerConfiguration(config.server, port: 0, cors: CORSPolicy(config.server.cors))
        #expect(listener.maxConnections == 2_501)
        #expect(listener.maxBodyBytes == 2048 && listener.port == 0)
    }

    @Test func aClientBeyondTheLimitWaitsUntilAHeldConnectionCloses() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha")],
                                             settings: "server: {event_loops: 1, max_connections: 3}")
        func chainID(_ id: Int) -> String {
            httpRequest("POST", "/rpc/ethereum", body: #"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#)
        }
        var held: [RawSocket] = []
        for id in 1...3 {
            let socket = try #require(RawSocket(port: harness.app.port))
            socket.send(chainID(id))
            #expect(await socket.readResponse()?.text == #"{"jsonrpc":"2.0","id":\#(id),"result":"0x1"}"#)
            held.append(socket)
        }
        // The fourth connects (the kernel's backlog) and sends, but lassod does not accept it
        // while three are held: the held ones keep being served meanwhile, and it gets nothing.
        let waiting = try #require(RawSocket(port: harness.app.port))
        waiting.send(chainID(4))
        for (index, socket) in held.enumerated() {
            socket.send(chainID(10 + index))
            #expect(await socket.readResponse()?.status == 200)
        }
        #expect(waiting.nothingPending(), "a fourth connection was served while three were held")
        held.removeFirst().reset()
        #expect(await waiting.readResponse()?.text == #"{"jsonrpc":"2.0","id":4,"result":"0x1"}"#)
        held.removeAll()
        await harness.shutdown()
    }

    /// `/metrics` shows the open client connections by transport and the limit, so an operator
    /// can alert before clients start to wait.
    @Test func metricsShowTheOpenConnectionsAndTheLimit() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha")],
                                             settings: "server: {event_loops: 2, max_connections: 50}")
        func gauges() async -> (http: String?, ws: String?, limit: String?)? {
            let socket = RawSocket(port: harness.app.port)
            socket?.send(httpRequest("GET", "/metrics", headers: [("Connection", "close")]))
            guard let text = await socket?.readResponse()?.text else { return nil }
            func value(_ series: String) -> String? {
                text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
            }
            return (value(#"lasso_client_connections{transport="http"}"#), value(#"lasso_client_connections{transport="ws"}"#),
                    value("lasso_client_connections_limit"))
        }
        let idle = try #require(await gauges())
        #expect(idle.http == "1" && idle.ws == "0" && idle.limit == "50", "only the /metrics request itself: \(idle)")

        var held = try (0..<3).map { _ in try #require(RawSocket(port: harness.app.port)) }
        for socket in held {
            socket.send(httpRequest("POST", "/rpc/ethereum", body: #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#))
            #expect(await socket.readResponse()?.status == 200)
        }
        var webSocket = RawSocket(port: harness.app.port)
        #expect(await webSocket?.upgrade(path: "/ws/rpc/ethereum") == true)
        // Waited for: the previous /metrics connection closes on its own time, and the upgrade is
        // counted just after the 101 leaves (another loop may answer in between).
        let busy = await waitFor { await gauges().map { $0.http == "4" && $0.ws == "1" } ?? false }
        let seen = await gauges()
        #expect(busy, "three held, one asking, one WebSocket: \(String(describing: seen))")

        // Dropping a socket closes it; the reset makes the close abrupt (RST), as a vanishing client's.
        held.forEach { $0.reset() }
        held.removeAll()
        webSocket?.reset()
        webSocket = nil
        let drained = await waitFor { await gauges().map { $0.http == "1" && $0.ws == "0" } ?? false }
        let after = await gauges()
        #expect(drained, "closed connections leave the count: \(String(describing: after))")
        await harness.shutdown()
    }
}
