import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import TestSupport

/// Gap-free subscription streams across provider failures, end to end: lassod in front of
/// simulated providers on real loopback sockets, clients on real WebSockets, every stream
/// checked block by block against the simulated chain (`StreamVerifier`).
@Suite(.serialized) struct GapFillingEndToEndTests {
    static let blockMs: UInt64 = 200
    /// USDC transfers: an address and a topic, as a dapp subscribes.
    static let transfers = SimulatedLogFilter(addresses: [SimulatedChain.logEmitters[0]],
                                              topics: [[SimulatedChain.transferTopic]])
    static let transfersParams = #"["logs",{"address":"\#(SimulatedChain.logEmitters[0])","topics":["\#(SimulatedChain.transferTopic)"]}]"#

    final class Stack: Sendable {
        let loop: EventLoop
        let chain: SimulatedChain
        let alpha: SimulatedProviderServer
        let beta: SimulatedProviderServer
        let app: LassoApplication
        let logs = MemorySink()

        /// `stallBlockTimeMs` is the chain's configured `block_time_ms`, which paces only the stall
        /// rule: the simulated chain makes a block every 200 ms whatever it says. Tests that are
        /// not about stalls keep it long (9 s of silence), so that a loaded host's pause is not
        /// taken for one: at 1 s, a run beside a compiler once counted a 3 s pause of the
        /// replacement's stream as a stall, a second failover.
        init(subscriptions: String = "", chainSettings: String = "", stallBlockTimeMs: UInt64 = 3_000,
             beta betaBehavior: SimulatedProviderBehavior = .healthy) async throws {
            loop = try EventLoop()
            chain = SimulatedChain(chainID: 1, blockIntervalMs: GapFillingEndToEndTests.blockMs)
            alpha = try SimulatedProviderServer(provider: SimulatedProvider(id: "alpha", chain: chain), loop: loop)
            beta = try SimulatedProviderServer(provider: SimulatedProvider(id: "beta", chain: chain, behavior: betaBehavior),
                                               loop: loop)
            let config = try LassoConfig.parse(yaml: """
                \(subscriptions.isEmpty ? "" : "subscriptions: {\(subscriptions)}")
                chains:
                  ethereum:
                    chain_id: 1
                    block_time_ms: \(stallBlockTimeMs)
                    monitoring: {probe_interval_ms: 100, lag_threshold_blocks: 50}
                    \(chainSettings)
                    providers:
                      - {id: alpha, priority: 1, url: "\(alpha.url)", ws_url: "\(alpha.webSocketURL)"}
                      - {id: beta, priority: 2, url: "\(beta.url)", ws_url: "\(beta.webSocketURL)"}
                """, environment: [:])
            app = try await LassoApplication.start(config: config, runtime: Runtime(), sink: logs, port: 0)
            let board = try #require(app.services.directory.board(for: "ethereum"))
            let wanted = betaBehavior.acceptsConnections ? 2 : 1
            try #require(await waitFor { board.snapshot.providers.count { $0.ws != nil } == wanted }, "ws channels up")
        }

        func sockets(_ count: Int) async throws -> [TestWebSocket] {
            var sockets: [TestWebSocket] = []
            for _ in 0..<count {
                let socket = try TestWebSocket(loop: loop, port: app.port, path: "/ws/rpc/ethereum")
                try await socket.connected()
                sockets.append(socket)
            }
            return sockets
        }

        var table: SubscriptionTable { app.services.subscriptionTables.table("ethereum") }

        func status(_ kind: SubscriptionKey.Kind) -> StreamStatus? {
            table.statuses().first { $0.key.kind == kind }
        }

        /// Waits (20 s at most) until the logs key is live with its logs complete through `block`;
        /// returns the block they are complete through then, nil if that never came.
        func logsLive(completeThrough block: UInt64) async -> UInt64? {
            await waitFor(within: .seconds(20)) { () -> UInt64? in
                guard let logs = status(.logs), logs.phase == .live, let through = logs.completeThrough,
                      through >= block else { return nil }
                return through
            }
        }

        func logged(_ event: String) -> [[String: Any]] {
            logs.lines.compactMap { line in
                guard line.contains(#""event":"\#(event)""#) else { return nil }
                return TestWebSocket.object(line)
            }
        }

        func shutdown() async {
            await app.stop()
            alpha.stop()
            beta.stop()
            loop.stop()
        }
    }

    /// Heads received by `socket` on `id`.
    static func heads(_ socket: TestWebSocket, _ id: String) -> [[String: Any]] {
        socket.notifications(for: id)
    }

    /// Waits until every socket has a header numbered at least `number`.
    static func waitForBlock(_ number: UInt64, _ clients: [(TestWebSocket, String)]) async throws {
        for (socket, id) in clients {
            // Only the latest messages are read: a stream never goes backwards, and parsing every
            // client's whole history on each poll would load the host the test runs on.
            _ = try await socket.wait("block \(number)", timeout: .seconds(20)) { recorded in
                TestWebSocket.notifications(for: id, in: Array(recorded.messages.suffix(32))).compactMap(TestWebSocket.blockNumber)
                    .first { $0 >= number }
            }
        }
    }

    /// alpha stops pushing until the chain is two blocks past the last one lassod's newHeads
    /// stream got, then dies (no close frame): a gap only a backfill can close. Returns that last
    /// block. It is lassod's, read again until the head is two past it: a push already on its way
    /// when alpha stalled still arrives (reading the client's last block at the stall was once
    /// one short).
    static func gapThenKill(_ stack: Stack, _ client: (TestWebSocket, String)) async throws -> UInt64 {
        stack.alpha.provider.behavior = .stalledSubscription
        let silentFrom = try #require(await waitFor { () -> UInt64? in
            guard let last = stack.status(.newHeads)?.lastBlock else { return nil }
            return stack.chain.head(at: stack.app.runtime.clock.now()) >= last + 2 ? last : nil
        }, "two blocks alpha never pushed")
        stack.alpha.provider.behavior = .killed
        return silentFrom
    }

    static func lastBlock(_ socket: TestWebSocket, _ id: String) -> UInt64 {
        heads(socket, id).compactMap(TestWebSocket.blockNumber).max() ?? 0
    }

    @Test func killedProviderLosesNoBlockForAHundredClients() async throws {
        let stack = try await Stack()
        let sockets = try await stack.sockets(100)
        var clients: [(TestWebSocket, String)] = []
        for socket in sockets { clients.append((socket, try await socket.subscribe(id: 1, params: #"["newHeads"]"#))) }
        let first = clients[0]
        _ = try await first.0.notifications(for: first.1, atLeast: 3)

        // Abruptly: the listener refuses and every open socket is cut without a close frame.
        stack.alpha.provider.behavior = .killed
        let killedAt = Self.lastBlock(first.0, first.1)
        try await Self.waitForBlock(killedAt + 6, clients)

        let verifier = StreamVerifier(chain: stack.chain)
        for (socket, id) in clients {
            let received = Self.heads(socket, id)
            #expect(verifier.headsProblems(received) == [], "client \(id)")
        }
        #expect(stack.beta.subscriptionCount == 1)
        #expect(stack.logged("subscription.failover.started").first?["reason"] as? String == "socket_closed")
        #expect(stack.logged("subscription.failover.completed").first?["to"] as? String == "beta")
        #expect(stack.status(.newHeads)?.counters.failovers == 1,
                "\(stack.logs.lines.filter { $0.contains("subscription.") }.map { $0.prefix(260) })")

        // What an operator sees: `lassod ctl status`, the status API and /metrics.
        let status = try await TreeControl(application: stack.app, configPath: nil).status(chain: "ethereum")
        let stream = try #require(status.subscriptions.first)
        #expect(stream.key == "newHeads" && stream.provider == "beta" && stream.clients == 100 && stream.failovers == 1)
        #expect(stream.lastFailover?.reason == "socket_closed" && stream.lastFailover?.to == "beta")
        #expect(AdminRenderer.status(status, color: false).contains("socket_closed alpha→beta"))
        let metrics = String(decoding: MetricsEndpoint(configs: stack.app.configs, directory: stack.app.services.directory,
                                                       counters: RequestCounters(),
                                                       subscriptions: stack.app.services.subscriptionTables).handle().body,
                             as: UTF8.self)
        #expect(metrics.contains(#"lasso_subscription_clients{chain="ethereum",kind="newHeads"} 100"#))
        #expect(metrics.contains(#"lasso_subscription_failovers_total{chain="ethereum",kind="newHeads"} 1"#))
        for (socket, _) in clients { socket.close() }
        await stack.shutdown()
    }

    @Test func killedProviderLosesNoLogOfAFilteredKey() async throws {
        let stack = try await Stack()
        let sockets = try await stack.sockets(20)
        var clients: [(TestWebSocket, String)] = []
        for socket in sockets { clients.append((socket, try await socket.subscribe(id: 1, params: Self.transfersParams))) }
        // Each client's window starts after the first block it saw: it subscribed mid-stream.
        var windows: [UInt64] = []
        for (socket, id) in clients {
            let early = try await socket.notifications(for: id, atLeast: 2)
            windows.append(try #require(early.first.flatMap(TestWebSocket.blockNumber)) + 1)
        }

        stack.alpha.provider.behavior = .killed
        let killedAt = try #require(stack.status(.logs)?.lastBlock)
        let through = try #require(await stack.logsLive(completeThrough: killedAt + 6), "six blocks past the kill, live again")

        let verifier = StreamVerifier(chain: stack.chain)
        for ((socket, id), from) in zip(clients, windows) {
            #expect(await StreamVerifier.settled {
                verifier.logsProblems(socket.notifications(for: id), filter: Self.transfers, from: from, through: through)
            } == [], "client \(id)")
        }
        for (socket, _) in clients { socket.close() }
        await stack.shutdown()
    }

    @Test func aProviderThatStopsSendingIsLeftAfterThreeBlockTimes() async throws {
        let stack = try await Stack(stallBlockTimeMs: Self.blockMs)
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.notifications(for: id, atLeast: 2)

        stack.alpha.provider.behavior = .stalledSubscription
        let stalledAt = Self.lastBlock(socket, id)
        try await Self.waitForBlock(stalledAt + 8, [(socket, id)])

        #expect(StreamVerifier(chain: stack.chain).headsProblems(Self.heads(socket, id)) == [])
        let stalled = try #require(stack.logged("subscription.stalled").first)
        #expect(stalled["provider"] as? String == "alpha")
        #expect(stack.beta.subscriptionCount == 1)
        #expect(stack.logged("subscription.failover.started").first?["reason"] as? String == "stalled")
        socket.close()
        await stack.shutdown()
    }

    @Test func aLogsKeyWhoseProviderStopsSendingIsLeftByItsHeaders() async throws {
        let stack = try await Stack(stallBlockTimeMs: Self.blockMs)
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: Self.transfersParams)
        let early = try await socket.notifications(for: id, atLeast: 2)
        let from = try #require(early.first.flatMap(TestWebSocket.blockNumber)) + 1

        // The socket stays open and nothing comes: neither logs nor the liveness feed's headers.
        stack.alpha.provider.behavior = .stalledSubscription
        let stalledAt = try #require(stack.status(.logs)?.lastBlock)
        try #require(await waitFor(within: .seconds(20)) {
            stack.status(.logs)?.provider == "beta" && stack.status(.logs)?.phase == .live
                && (stack.status(.logs)?.completeThrough ?? 0) >= stalledAt + 6
        }, "on beta, six blocks on")
        let through = try #require(stack.status(.logs)?.completeThrough)
        let verifier = StreamVerifier(chain: stack.chain)
        #expect(await StreamVerifier.settled {
            verifier.logsProblems(socket.notifications(for: id), filter: Self.transfers, from: from, through: through)
        } == [])
        let stalled = try #require(stack.logged("subscription.stalled").first)
        #expect(stalled["key"] as? String == "logs" && stalled["provider"] as? String == "alpha")
        socket.close()
        await stack.shutdown()
    }

    @Test func aFilterThatMatchesNothingIsNotAStall() async throws {
        let stack = try await Stack()
        let socket = try await stack.sockets(1)[0]
        _ = try await socket.subscribe(id: 1, params: #"["logs",{"address":"0x0000000000000000000000000000000000000001"}]"#)
        // Its provider's headers say which blocks are complete: six of them with no log.
        let first = try #require(await waitFor { stack.status(.logs)?.completeThrough })
        try #require(await waitFor { (stack.status(.logs)?.completeThrough ?? 0) >= first + 6 }, "six quiet blocks")
        #expect(stack.status(.logs)?.counters.failovers == 0)
        #expect(stack.status(.logs)?.provider == "alpha")
        #expect(stack.logged("subscription.stalled").isEmpty)
        socket.close()
        await stack.shutdown()
    }

    @Test func logsKeysBeyondAProvidersLimitAllKeepTheirLivenessFeed() async throws {
        let stack = try await Stack()
        let socket = try await stack.sockets(1)[0]
        // More keys than a simulated provider takes on one connection (100): some spill onto
        // beta, and every provider carrying one gets its liveness feed first.
        let keys = 104
        for index in 0..<keys {
            let own = "0x" + String(repeating: "0", count: 32) + String(format: "%08x", index + 1)
            // Quiet filters: only the liveness feed's headers can complete their blocks.
            socket.send(#"{"jsonrpc":"2.0","id":\#(index + 1),"method":"eth_subscribe","params":["logs",{"address":"\#(own)"}]}"#)
        }
        try #require(await waitFor { stack.table.statuses().count == keys && stack.table.statuses().allSatisfy { $0.clients == 1 } })
        let start = try #require(await waitFor { stack.table.statuses().compactMap(\.completeThrough).min() })
        try #require(await waitFor {
            let statuses = stack.table.statuses()
            return statuses.allSatisfy { ($0.completeThrough ?? 0) >= start + 5 }
        }, "every key five blocks on")
        #expect(Set(stack.table.statuses().compactMap(\.provider)) == ["alpha", "beta"])
        #expect(stack.logged("subscription.stalled").isEmpty)
        #expect(stack.table.statuses().allSatisfy { $0.counters.failovers == 0 })
        socket.close()
        await stack.shutdown()
    }

    @Test func aReorgOnTheReplacementIsDeliveredAsGethDoes() async throws {
        let stack = try await Stack()
        let socket = try await stack.sockets(1)[0]
        let heads = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        let emitter = SimulatedLogFilter(addresses: [SimulatedChain.logEmitters[0]])
        let logs = try await socket.subscribe(id: 2, params: #"["logs",{"address":"\#(SimulatedChain.logEmitters[0])"}]"#)
        let early = try await socket.notifications(for: logs, atLeast: 2)
        let from = try #require(early.first.flatMap(TestWebSocket.blockNumber)) + 1
        _ = try await socket.notifications(for: heads, atLeast: 3)

        // beta follows another branch from a block whose logs alpha delivered, four blocks back:
        // deeper than the header that reveals the switch, so the retraction needs the anchor check.
        let forkPoint = try #require(early.last.flatMap(TestWebSocket.blockNumber))
        try await Self.waitForBlock(forkPoint + 4, [(socket, heads)])
        let fork = SimulatedFork(fromBlock: forkPoint)
        stack.beta.provider.fork = fork
        stack.alpha.provider.behavior = .killed
        let killedAt = Self.lastBlock(socket, heads)
        try await Self.waitForBlock(killedAt + 5, [(socket, heads)])
        let through = try #require(await stack.logsLive(completeThrough: killedAt + 5))

        let verifier = StreamVerifier(chain: stack.chain)
        #expect(verifier.headsProblems(socket.notifications(for: heads), reorgingTo: fork) == [])
        #expect(await StreamVerifier.settled {
            verifier.logsProblems(socket.notifications(for: logs), filter: emitter, from: from, through: through, reorgingTo: fork)
        } == [])
        let received = socket.notifications(for: logs)
        #expect(received.contains { $0["removed"] as? Bool == true }, "alpha's orphaned logs retracted")
        #expect(!stack.logged("subscription.reorg").isEmpty)
        socket.close()
        await stack.shutdown()
    }

    @Test func aLaggingReplacementIsWaitedForNotReplayed() async throws {
        let stack = try await Stack(beta: .lagging(blocks: 3))
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.notifications(for: id, atLeast: 3)

        stack.alpha.provider.behavior = .killed
        let killedAt = Self.lastBlock(socket, id)
        try await Self.waitForBlock(killedAt + 5, [(socket, id)])

        #expect(StreamVerifier(chain: stack.chain).headsProblems(Self.heads(socket, id)) == [])
        #expect(stack.beta.subscriptionCount == 1)
        #expect((stack.status(.newHeads)?.counters.duplicatesDropped ?? 0) >= 1, "beta's old blocks were dropped")
        socket.close()
        await stack.shutdown()
    }

    @Test func aGapBeyondTheCapDeliversTheNewestBlocksAndLogsTheSkip() async throws {
        let stack = try await Stack(subscriptions: "max_backfill_blocks: 3")
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.notifications(for: id, atLeast: 2)

        // Every provider gone for a while, then one comes back: far more is missing than the cap.
        stack.beta.provider.behavior = .down
        stack.alpha.provider.behavior = .killed
        let killedAt = Self.lastBlock(socket, id)
        let board = try #require(stack.app.services.directory.board(for: "ethereum"))
        try #require(await waitFor { board.snapshot.providers.allSatisfy { $0.ws == nil } }, "no ws provider left")
        let outage = stack.chain.head(at: stack.app.runtime.clock.now()) + 8
        try #require(await waitFor(within: .seconds(10)) { stack.chain.head(at: stack.app.runtime.clock.now()) >= outage })
        stack.beta.provider.behavior = .healthy
        try await Self.waitForBlock(outage + 2, [(socket, id)])

        let received = Self.heads(socket, id)
        let numbers = received.compactMap(TestWebSocket.blockNumber)
        let skipped = try #require(stack.logged("subscription.gap_skipped").first)
        let skippedFrom = try #require(skipped["from"] as? Int)
        let skippedTo = try #require(skipped["to"] as? Int)
        #expect(skipped["reason"] as? String == "cap")
        // The skip starts right after the last block the stream had when alpha died. That is
        // lassod's figure (the failover's last_block): a block already on its way at the kill
        // reaches the client after `killedAt` was read. The client got that block too.
        let lastDelivered = try #require(stack.logged("subscription.failover.started").first?["last_block"] as? Int)
        #expect(lastDelivered >= Int(killedAt) && numbers.contains(UInt64(lastDelivered)), "\(lastDelivered), \(killedAt)")
        #expect(skippedFrom == lastDelivered + 1)
        #expect(StreamVerifier(chain: stack.chain).headsProblems(received,
                                                                skipsAllowed: UInt64(skippedFrom)...UInt64(skippedTo)) == [])
        #expect(!numbers.contains { (UInt64(skippedFrom)...UInt64(skippedTo)).contains($0) })
        let counters = try #require(stack.status(.newHeads)?.counters)
        #expect(counters.skipped == skippedTo - skippedFrom + 1)
        #expect(counters.backfilled <= 3, "at most max_backfill_blocks fetched")
        socket.close()
        await stack.shutdown()
    }

    @Test func withFailoverDisabledAKeyWaitsForItsProviderThenBackfills() async throws {
        let stack = try await Stack(chainSettings: "failover: {enabled: false}")
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.notifications(for: id, atLeast: 2)

        stack.alpha.provider.behavior = .killed
        let board = try #require(stack.app.services.directory.board(for: "ethereum"))
        try #require(await waitFor { board.snapshot.providers.first { $0.id == "alpha" }?.ws == nil }, "alpha's ws down")
        // lassod's last block, read once alpha's socket is gone: the client's own read at the kill
        // can be one short (a block on its way), and the gap then one block smaller than meant.
        let killedAt = try #require(stack.status(.newHeads)?.lastBlock)
        try #require(await waitFor { stack.chain.head(at: stack.app.runtime.clock.now()) >= killedAt + 3 }, "3 blocks made")
        #expect(stack.beta.subscriptionCount == 0, "the key waits for alpha")
        stack.alpha.provider.behavior = .healthy
        try await Self.waitForBlock(killedAt + 6, [(socket, id)])

        #expect(StreamVerifier(chain: stack.chain).headsProblems(Self.heads(socket, id)) == [])
        #expect(stack.beta.subscriptionCount == 0)
        #expect(stack.status(.newHeads)?.provider == "alpha")
        #expect((stack.status(.newHeads)?.counters.backfilled ?? 0) >= 3)
        socket.close()
        await stack.shutdown()
    }

    @Test func clientsLeavingDuringABackfillLeaveTheOthersWhole() async throws {
        let stack = try await Stack(beta: .slowHTTP(latencyMs: 800))
        let sockets = try await stack.sockets(100)
        var clients: [(TestWebSocket, String)] = []
        for socket in sockets { clients.append((socket, try await socket.subscribe(id: 1, params: #"["newHeads"]"#))) }
        _ = try await clients[0].0.notifications(for: clients[0].1, atLeast: 2)

        // Blocks alpha never pushes, then it dies: they are fetched over HTTP from beta, which
        // answers HTTP slowly.
        let silentFrom = try await Self.gapThenKill(stack, clients[0])
        try #require(await waitFor { stack.status(.newHeads)?.phase == .backfilling }, "backfilling")
        for (socket, _) in clients[50...] { socket.close() }

        let staying = Array(clients[..<50])
        try await Self.waitForBlock(silentFrom + 6, staying)
        let verifier = StreamVerifier(chain: stack.chain)
        for (socket, id) in staying { #expect(verifier.headsProblems(Self.heads(socket, id)) == [], "client \(id)") }
        #expect((stack.status(.newHeads)?.counters.backfilled ?? 0) >= 2)

        // The last clients leave: the key retires, its coordinator goes, beta is unsubscribed.
        for (socket, _) in staying { socket.close() }
        try #require(await waitFor { stack.table.statuses().isEmpty && stack.table.coordinators().isEmpty }, "key retired")
        try #require(await waitFor { stack.beta.subscriptionCount == 0 }, "unsubscribed upstream")
        await stack.shutdown()
    }

    @Test func aBackfillPastItsDeadlineSkipsTheRestAndGoesLive() async throws {
        let stack = try await Stack(subscriptions: "backfill_timeout_ms: 300", beta: .slowHTTP(latencyMs: 3_000))
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.notifications(for: id, atLeast: 2)

        // Blocks alpha never pushes, then it dies; beta has them, but answers HTTP in 3 s.
        let silentFrom = try await Self.gapThenKill(stack, (socket, id))
        let skipped = try #require(await waitFor { stack.logged("subscription.gap_skipped").first }, "gave up")
        #expect(skipped["reason"] as? String == "timeout")
        let from = try #require(skipped["from"] as? Int)
        let to = try #require(skipped["to"] as? Int)
        #expect(from == Int(silentFrom) + 1)
        // Live again from beta's WebSocket long before its HTTP would have answered.
        try await Self.waitForBlock(UInt64(to) + 3, [(socket, id)])
        #expect(StreamVerifier(chain: stack.chain).headsProblems(Self.heads(socket, id),
                                                                skipsAllowed: UInt64(from)...UInt64(to)) == [])
        #expect(stack.status(.newHeads)?.phase == .live)
        socket.close()
        await stack.shutdown()
    }

    @Test func withoutGapFillingTheStreamPassesThrough() async throws {
        let stack = try await Stack(subscriptions: "enable_gap_filling: false")
        let socket = try await stack.sockets(1)[0]
        let id = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.notifications(for: id, atLeast: 2)
        stack.alpha.provider.behavior = .killed
        let killedAt = Self.lastBlock(socket, id)
        try await Self.waitForBlock(killedAt + 3, [(socket, id)])
        #expect(stack.status(.newHeads)?.counters.backfilled == 0)
        #expect(stack.logged("subscription.backfill").isEmpty)
        socket.close()
        await stack.shutdown()
    }

    @Test func twoKeysFailOverTogether() async throws {
        let stack = try await Stack()
        let socket = try await stack.sockets(1)[0]
        let heads = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        let transfers = try await socket.subscribe(id: 2, params: Self.transfersParams)
        let early = try await socket.notifications(for: transfers, atLeast: 2)
        let from = try #require(early.first.flatMap(TestWebSocket.blockNumber))

        stack.alpha.provider.behavior = .killed
        let killedAt = Self.lastBlock(socket, heads)
        try await Self.waitForBlock(killedAt + 5, [(socket, heads)])
        let through = try #require(await stack.logsLive(completeThrough: killedAt + 5))
        let verifier = StreamVerifier(chain: stack.chain)
        #expect(verifier.headsProblems(Self.heads(socket, heads)) == [])
        #expect(await StreamVerifier.settled {
            verifier.logsProblems(socket.notifications(for: transfers), filter: Self.transfers, from: from + 1, through: through)
        } == [])
        #expect(stack.status(.newHeads)?.counters.failovers == 1 && stack.status(.logs)?.counters.failovers == 1)
        socket.close()
        await stack.shutdown()
    }

    @Test func aConnectionHoldsAtMostMaxPerConnectionSubscriptions() async throws {
        let stack = try await Stack(subscriptions: "max_per_connection: 2")
        let socket = try await stack.sockets(1)[0]
        _ = try await socket.subscribe(id: 1, params: #"["newHeads"]"#)
        _ = try await socket.subscribe(id: 2, params: #"["newHeads"]"#)
        socket.send(#"{"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["newHeads"]}"#)
        let refused = try #require(TestWebSocket.object(try await socket.reply(id: "3")))
        let error = try #require(refused["error"] as? [String: Any])
        #expect(error["code"] as? Int == -32005)
        #expect((error["message"] as? String)?.contains("at most 2") == true)
        socket.close()
        await stack.shutdown()
    }
}
