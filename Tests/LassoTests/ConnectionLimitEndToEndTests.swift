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
}
