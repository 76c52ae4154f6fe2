import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// A crash or kill of any process a subscription stream passes through — and `restart-chain` —
/// must not end a client's stream: it goes on gap-free, under the same subscription ids, from
/// what the `SubscriptionTable` says was delivered.
@Suite(.serialized) struct SubscriptionRestartTests {
    typealias Stack = GapFillingEndToEndTests.Stack
    static let chain = "Application/ChainsSupervisor/ChainSupervisor(ethereum)"

    /// Subscribes a newHeads and a filtered logs key, disrupts the stream with `disrupt`, then
    /// checks both streams five blocks on.
    func streamsSurvive(_ disrupt: (Stack, TreeControl) async throws -> Void) async throws {
        let stack = try await Stack()
        let control = TreeControl(application: stack.app, configPath: nil)
        let socket = try await stack.sockets(1)[0]
        let heads = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        let transfers = try await socket.subscribe(id: 2, params: GapFillingEndToEndTests.transfersParams)
        let early = try await socket.notifications(for: transfers, atLeast: 2)
        let from = try #require(early.first.flatMap(TestWebSocket.blockNumber))
        _ = try await socket.notifications(for: heads, atLeast: 2)

        try await disrupt(stack, control)
        let disruptedAt = GapFillingEndToEndTests.lastBlock(socket, heads)
        try await GapFillingEndToEndTests.waitForBlock(disruptedAt + 5, [(socket, heads)])
        let through = try #require(await stack.logsLive(completeThrough: disruptedAt + 5), "logs complete five blocks on")

        let verifier = StreamVerifier(chain: stack.chain)
        #expect(verifier.headsProblems(socket.notifications(for: heads)) == [])
        #expect(await StreamVerifier.settled {
            verifier.logsProblems(socket.notifications(for: transfers), filter: GapFillingEndToEndTests.transfers,
                                  from: from + 1, through: through)
        } == [])
        #expect(stack.table.subscriptionIDs(of: nil) == [heads, transfers].sorted(), "same ids, nothing added or lost")
        socket.close()
        await stack.shutdown()
    }

    @Test func aKilledCoordinatorIsRestartedAndResumes() async throws {
        try await streamsSurvive { stack, control in
            let before = Set(stack.table.coordinators().map(\.pid))
            let killed = try await control.kill(path: "\(Self.chain)/StreamSupervisor/StreamCoordinator(newHeads)")
            #expect(before.contains(killed))
            try #require(await waitFor {
                let now = Set(stack.table.coordinators().map(\.pid))
                return now.count == 2 && !now.contains(killed)
            }, "a new coordinator for newHeads")
            try #require(await waitFor { stack.logs.lines.contains { $0.contains(#""reason":"resumed""#) } }, "resumed")
        }
    }

    @Test func aKilledPoolIsReplacedAndStreamsResume() async throws {
        try await streamsSurvive { stack, control in
            _ = try await control.kill(path: "\(Self.chain)/UpstreamSubscriptionPool")
            try #require(await waitFor { stack.logs.lines.contains { $0.contains(#""reason":"pool_restarted""#) } })
        }
    }

    @Test func aKilledRegistryChangesNothingForTheStreams() async throws {
        try await streamsSurvive { _, control in
            _ = try await control.kill(path: "\(Self.chain)/ClientSubscriptionRegistry")
        }
    }

    @Test func aKilledStreamSupervisorRestartsEveryCoordinator() async throws {
        try await streamsSurvive { stack, control in
            let before = stack.table.coordinators()
            _ = try await control.kill(path: "\(Self.chain)/StreamSupervisor")
            try #require(await waitFor {
                let now = stack.table.coordinators()
                return now.count == 2 && Set(now.map(\.pid)).isDisjoint(with: before.map(\.pid))
            }, "two new coordinators")
        }
    }

    @Test func aKilledConnectionFailsOverGapFree() async throws {
        try await streamsSurvive { stack, control in
            _ = try await control.kill(path: "\(Self.chain)/ProviderSupervisor(alpha)/WSConnection(alpha)")
            // Its terminate closes the socket and says so: the pool hears that before the exit.
            try #require(await waitFor {
                stack.logged("subscription.failover.started").contains { $0["from"] as? String == "alpha" }
            })
        }
    }

    @Test func restartChainResumesEveryStream() async throws {
        try await streamsSurvive { stack, control in
            let board = try #require(stack.app.services.directory.board(for: "ethereum"))
            try await control.restartChain("ethereum")
            let restarted = try #require(stack.app.services.directory.board(for: "ethereum"))
            #expect(restarted !== board)
        }
    }

    @Test func stopChainClosesSubscribedSocketsWithGoingAway() async throws {
        let stack = try await Stack()
        let control = TreeControl(application: stack.app, configPath: nil)
        let subscribed = try await stack.sockets(1)[0]
        let id = try await subscribed.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await subscribed.notifications(for: id, atLeast: 1)
        let unary = try await stack.sockets(1)[0]

        try await control.stopChain("ethereum")
        let closed = try await subscribed.wait("closed") { $0.disconnects.first }
        #expect(closed == .closed(.goingAway))
        #expect(stack.table.statuses().isEmpty && stack.table.subscriptionIDs(of: nil).isEmpty)
        #expect(stack.logged("subscription.clients_closed").first?["code"] as? Int == 1001)
        // A socket without subscriptions stays open and is told the chain is not running, with
        // its request's id.
        unary.send(#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#)
        let answer = try await unary.message("reply 7") { $0.contains("\"id\":7") }
        #expect(answer.contains("not running"), "\(answer)")
        subscribed.close()
        unary.close()
        await stack.shutdown()
    }
}
