import Testing
import Lasso
import LassoSimulation

/// The collector reads lassod's own log lines as they are written and keeps only what the
/// analysis needs; lines of other events, or not JSON at all, are dropped.
struct BattleCollectorTests {
    /// `RequestLogLineTests`' golden line (two candidates, the first failed, the second answered).
    static let served = #"{"ts":"2025-11-25T16:03:30.123Z","level":"info","event":"rpc.request.completed","#
        + #""request_id":"21027f767548a9b6ddff97c860e7e58c","strategy":"cheapest","chain":"ethereum","#
        + #""transport":"http","jsonrpc_method":"eth_blockNumber","params_present":false,"#
        + #""routing":{"candidate_providers":["ethereum_cloudflare:http","ethereum_llamarpc:http"],"#
        + #""selected_provider":{"id":"ethereum_llamarpc","protocol":"http"},"selection_latency_ms":0.012,"#
        + #""retries":1,"circuit_breaker_state":"closed"},"#
        + #""timing":{"upstream_latency_ms":592,"end_to_end_latency_ms":593.104},"#
        + #""response":{"status":"success","result_type":"string"}}"# + "\n"

    /// No provider could be tried: `selected_provider` and `upstream_latency_ms` are null.
    static let refused = #"{"ts":"2025-11-25T16:03:30.123Z","level":"warning","event":"rpc.request.completed","#
        + #""request_id":"00000000000000010000000000000002","strategy":"fastest","chain":"base","#
        + #""transport":"http","jsonrpc_method":"eth_chainId","params_present":false,"#
        + #""routing":{"candidate_providers":[],"selected_provider":null,"selection_latency_ms":0,"#
        + #""retries":0,"circuit_breaker_state":"unknown"},"#
        + #""timing":{"upstream_latency_ms":null,"end_to_end_latency_ms":0.2},"#
        + #""response":{"status":"error","error":{"code":-32000,"message":"no provider","category":"no_provider"}}}"# + "\n"

    @Test func keepsTheFieldsOfRequestLinesAndSupervisionEventsAndDropsTheRest() {
        let collector = Battle.Collector()
        collector.write(Array(Self.served.utf8))
        collector.write(Array(Self.refused.utf8))
        // As lassod's logger writes a supervision event (LassoApplication), and two lines to drop.
        let logger = Logger(minimumLevel: .debug, sink: collector)
        logger.log(.debug, "supervision.restarted", ["supervisor": .string("ChainSupervisor(ethereum)"),
                                                     "child": .string("ProviderPool"), "pid": .string("<0.7>"),
                                                     "reason": .null])
        logger.log(.info, "lassod.started", ["port": .int(4000)])
        collector.write(Array("not json\n".utf8))

        let (routed, supervision) = collector.parsed()
        #expect(routed.count == 2)
        #expect(routed.first.map { [$0.chain, $0.selectedProvider ?? "-"] } == ["ethereum", "ethereum_llamarpc"])
        #expect(routed.first?.retries == 1 && routed.first?.succeeded == true && routed.first?.endToEndMs == 593.104)
        #expect(routed.last.map { [$0.chain, $0.selectedProvider ?? "-"] } == ["base", "-"])
        #expect(routed.last?.retries == 0 && routed.last?.succeeded == false && routed.last?.endToEndMs == 0.2)
        #expect(supervision.map { [$0.kind, $0.supervisor, $0.child ?? "-"] }
                == [["restarted", "ChainSupervisor(ethereum)", "ProviderPool"]])
    }

    @Test func keepsSubscriptionFailoversBackfillsAndSkips() {
        let collector = Battle.Collector()
        let lines = [
            #"{"ts":"2025-11-25T16:03:30.123Z","level":"warning","event":"subscription.failover.started","chain":"ethereum","key":"newHeads","reason":"socket_closed","from":"alpha","last_block":1000004}"#,
            #"{"ts":"2025-11-25T16:03:30.200Z","level":"info","event":"subscription.backfill","chain":"ethereum","key":"newHeads","from":1000005,"to":1000006,"count":2,"provider":"beta"}"#,
            #"{"ts":"2025-11-25T16:03:30.300Z","level":"info","event":"subscription.failover.completed","chain":"ethereum","key":"newHeads","reason":"socket_closed","from":"alpha","to":"beta","duration_ms":41,"backfilled":2,"skipped":0,"duplicates_dropped":0}"#,
            #"{"ts":"2025-11-25T16:03:30.400Z","level":"warning","event":"subscription.gap_skipped","chain":"ethereum","key":"logs","from":5,"to":7,"count":3,"reason":"cap"}"#,
        ]
        for line in lines { collector.write(Array((line + "\n").utf8)) }
        let events = collector.subscriptionEvents()
        #expect(events.map(\.kind) == ["failover.started", "backfill", "failover.completed", "gap_skipped"])
        #expect(events[0].fromProvider == "alpha" && events[0].toProvider == nil && events[0].reason == "socket_closed")
        #expect(events[1].count == 2 && events[1].fromProvider == nil, "a backfill's from is a block, not a provider")
        #expect(events[2].toProvider == "beta" && events[2].durationMs == 41 && events[2].count == 2 && events[2].skipped == 0)
        #expect(events[3].key == "logs" && events[3].count == 3 && events[3].reason == "cap")
        #expect(collector.parsed().routed.isEmpty && collector.parsed().supervision.isEmpty)
    }

    @Test func theBusiestProviderIsTheOneThatAnsweredMostOfAChainsRecentRequests() {
        let collector = Battle.Collector()
        #expect(collector.busiestProvider(chain: "ethereum", sinceMs: 0) == nil)
        collector.write(Array(Self.served.utf8))
        collector.write(Array(Self.refused.utf8))
        #expect(collector.busiestProvider(chain: "ethereum", sinceMs: 0) == "ethereum_llamarpc")
        #expect(collector.busiestProvider(chain: "base", sinceMs: 0) == nil, "a request nobody answered counts for no one")
        #expect(collector.busiestProvider(chain: "ethereum", sinceMs: collector.elapsedMs() + 1) == nil, "only recent ones")
    }
}
