import Synchronization
import Testing
@testable import Lasso
import Supervision

/// The transport-neutral core both endpoints adapt: a route resolved once into a target, then
/// bodies answered for that target, which follows its chain across restarts.
@Suite struct RPCServiceTests {
    typealias Fixture = RPCEndpointTests.Fixture

    static func answer(_ service: RPCService, _ body: String, target: RPCTarget,
                       client: RPCClient = .webSocket) async -> RPCReply {
        await withCheckedContinuation { continuation in
            service.handle(Array(body.utf8), target: target, client: client) { continuation.resume(returning: $0) }
        }
    }

    @Test func aTargetResolvedOnceAnswersEveryBodyLikeHTTPWithoutAStatus() async throws {
        let fixture = try await Fixture()
        let service = fixture.endpoint.service
        let target = try service.resolve(RPCRoute(chain: "1")).get()
        #expect(target.chain.key == "ethereum" && target.strategy == nil && target.pinnedProvider == nil)
        let reply = await Self.answer(service, #"{"jsonrpc":"2.0","id":"a","method":"eth_chainId"}"#, target: target)
        #expect(reply.status == .answered && reply.metadata.isEmpty)
        #expect(String(decoding: reply.body, as: UTF8.self) == #"{"jsonrpc":"2.0","id":"a","result":"alpha:eth_chainId"}"#)
        let notification = await Self.answer(service, #"{"jsonrpc":"2.0","method":"eth_chainId"}"#, target: target)
        #expect(notification.status == .noContent && notification.body.isEmpty)
        let garbage = await Self.answer(service, "{", target: target)
        #expect(garbage.status == .answered && String(decoding: garbage.body, as: UTF8.self).contains("-32700"))

        #expect(throws: RPCRouteError.unknownChain("nowhere")) { try service.resolve(RPCRoute(chain: "nowhere")).get() }
        #expect(throws: RPCRouteError.unknownProvider(chain: "ethereum", provider: "nobody")) {
            try service.resolve(RPCRoute(chain: "ethereum", pinnedProvider: "nobody")).get()
        }
    }

    @Test func aTargetFollowsItsChainAcrossARestart() async throws {
        let fixture = try await Fixture()
        let service = fixture.endpoint.service
        let target = try service.resolve(RPCRoute(chain: "ethereum")).get()
        let request = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        #expect(await Self.answer(service, request, target: target).status == .answered)

        fixture.chainOwner.stop()
        _ = await fixture.chainOwner.process.waitForExit()
        let stopped = await Self.answer(service, request, target: target)
        #expect(stopped.status == .chainNotRunning)
        #expect(String(decoding: stopped.body, as: UTF8.self).contains("chain ethereum is not running"))

        // The chain comes back with a fresh board: the same target reaches it.
        let board = ChainStateBoard(chain: try #require(fixture.config.chain(named: "ethereum")))
        let successor = try await ServerRef.start(label: "ethereum", runtime: Runtime()) {
            ProviderPool(chain: board.chain, board: board)
        }
        try fixture.directory.register(chain: "ethereum", board: board, process: successor.process)
        #expect(target.chain.board === board)
        #expect(await Self.answer(service, request, target: target).status == .answered)
        successor.stop()
    }
}
