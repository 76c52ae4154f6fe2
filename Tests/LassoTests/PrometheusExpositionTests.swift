import Testing
@testable import Lasso

@Suite struct PrometheusExpositionTests {
    @Test func rendersGoldenText() {
        var buckets = [UInt64](repeating: 0, count: RequestCounters.durationBuckets.count + 1)
        buckets[0] = 2
        buckets[3] = 1
        var snapshot = PrometheusSnapshot(
            requests: [.init(chain: "ethereum", provider: "ankr", method: "eth_blockNumber", transport: .http,
                             successes: 2, errors: 1, bucketCounts: buckets, durationSumNanos: 9_500_000)],
            errors: [.init(chain: "ethereum", provider: "ankr", transport: .http, category: "provider.timeout", count: 1)],
            breakers: [.init(chain: "ethereum", provider: "ankr", transport: .ws, phase: .halfOpen),
                       .init(chain: "ethereum", provider: "ankr", transport: .http, phase: .closed),
                       .init(chain: "base", provider: "b", transport: .http, phase: .forcedOpen)],
            providers: [.init(chain: "ethereum", provider: "ankr", available: true, lagBlocks: 0),
                        .init(chain: "ethereum", provider: "slow", available: false, lagBlocks: nil)])
        var streams = StreamCounters()
        streams.delivered = 40
        streams.failovers = 2
        streams.backfilled = 5
        streams.skipped = 1
        streams.duplicatesDropped = 3
        streams.reorgs = 1
        snapshot.subscriptions = [.init(chain: "ethereum", kind: "newHeads", keys: 1, clients: 7, counters: streams)]
        let labels = #"chain="ethereum",provider="ankr",method="eth_blockNumber",transport="http""#
        let cumulative: [UInt64] = [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
        var expected = """
        # HELP lasso_requests_total Proxied JSON-RPC requests by chain, provider, method, transport and outcome.
        # TYPE lasso_requests_total counter
        lasso_requests_total{\(labels),status="success"} 2
        lasso_requests_total{\(labels),status="error"} 1
        # HELP lasso_request_errors_total Requests that ended in a JSON-RPC error, by error category.
        # TYPE lasso_request_errors_total counter
        lasso_request_errors_total{chain="ethereum",provider="ankr",transport="http",category="provider.timeout"} 1
        # HELP lasso_request_duration_seconds End-to-end request latency as seen by the client.
        # TYPE lasso_request_duration_seconds histogram

        """
        for (bucket, count) in zip(RequestCounters.durationBuckets, cumulative) {
            expected += "lasso_request_duration_seconds_bucket{\(labels),le=\"\(bucket.label)\"} \(count)\n"
        }
        expected += """
        lasso_request_duration_seconds_bucket{\(labels),le="+Inf"} 3
        lasso_request_duration_seconds_sum{\(labels)} 0.0095
        lasso_request_duration_seconds_count{\(labels)} 3
        # HELP lasso_circuit_breaker_state Circuit breaker per provider and transport: 0 closed, 1 half-open, 2 open.
        # TYPE lasso_circuit_breaker_state gauge
        lasso_circuit_breaker_state{chain="base",provider="b",transport="http"} 2
        lasso_circuit_breaker_state{chain="ethereum",provider="ankr",transport="http"} 0
        lasso_circuit_breaker_state{chain="ethereum",provider="ankr",transport="ws"} 1
        # HELP lasso_provider_available Whether the provider is available for routing (1) or not (0).
        # TYPE lasso_provider_available gauge
        lasso_provider_available{chain="ethereum",provider="ankr"} 1
        lasso_provider_available{chain="ethereum",provider="slow"} 0
        # HELP lasso_provider_lag_blocks Blocks the provider's head is behind the best known head of its chain.
        # TYPE lasso_provider_lag_blocks gauge
        lasso_provider_lag_blocks{chain="ethereum",provider="ankr"} 0
        # HELP lasso_subscription_keys Subscription keys followed upstream (one upstream subscription each).
        # TYPE lasso_subscription_keys gauge
        lasso_subscription_keys{chain="ethereum",kind="newHeads"} 1
        # HELP lasso_subscription_clients Client subscriptions confirmed.
        # TYPE lasso_subscription_clients gauge
        lasso_subscription_clients{chain="ethereum",kind="newHeads"} 7
        # HELP lasso_subscription_events_delivered_total Events sent to the clients of a key (counted once per key).
        # TYPE lasso_subscription_events_delivered_total counter
        lasso_subscription_events_delivered_total{chain="ethereum",kind="newHeads"} 40
        # HELP lasso_subscription_failovers_total Times a key's stream left its upstream.
        # TYPE lasso_subscription_failovers_total counter
        lasso_subscription_failovers_total{chain="ethereum",kind="newHeads"} 2
        # HELP lasso_subscription_backfilled_blocks_total Blocks fetched over HTTP to close a stream's gap.
        # TYPE lasso_subscription_backfilled_blocks_total counter
        lasso_subscription_backfilled_blocks_total{chain="ethereum",kind="newHeads"} 5
        # HELP lasso_subscription_skipped_blocks_total Blocks given up: beyond max_backfill_blocks or past backfill_timeout_ms.
        # TYPE lasso_subscription_skipped_blocks_total counter
        lasso_subscription_skipped_blocks_total{chain="ethereum",kind="newHeads"} 1
        # HELP lasso_subscription_duplicates_dropped_total Events dropped because the stream had delivered them.
        # TYPE lasso_subscription_duplicates_dropped_total counter
        lasso_subscription_duplicates_dropped_total{chain="ethereum",kind="newHeads"} 3
        # HELP lasso_subscription_reorgs_total Reorganisations delivered to clients.
        # TYPE lasso_subscription_reorgs_total counter
        lasso_subscription_reorgs_total{chain="ethereum",kind="newHeads"} 1

        """
        #expect(PrometheusExposition.render(snapshot) == expected)
    }

    @Test func clientConnectionsAreTwoGaugesAndTheLimitWithTheRegion() {
        var snapshot = PrometheusSnapshot()
        snapshot.region = "eu"
        snapshot.clientConnections = .init(http: 7, webSockets: 3, limit: 20_000)
        let text = PrometheusExposition.render(snapshot)
        #expect(text.hasSuffix("""
            # HELP lasso_client_connections Client connections open now, by transport.
            # TYPE lasso_client_connections gauge
            lasso_client_connections{region="eu",transport="http"} 7
            lasso_client_connections{region="eu",transport="ws"} 3
            # HELP lasso_client_connections_limit server.max_connections: beyond it new clients wait in the kernel's backlog.
            # TYPE lasso_client_connections_limit gauge
            lasso_client_connections_limit{region="eu"} 20000

            """))
        #expect(!PrometheusExposition.render(PrometheusSnapshot()).contains("lasso_client_connections"),
                "nothing without a listener's count")
    }

    @Test func escapesLabelValues() {
        #expect(PrometheusExposition.escapeLabelValue(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusExposition.escapeLabelValue("plain_method") == "plain_method")
        let text = PrometheusExposition.render(PrometheusSnapshot(
            errors: [.init(chain: "c", provider: "p", transport: .http, category: "weird\"cat\n", count: 4)]))
        #expect(text.contains(#"category="weird\"cat\n"} 4"#))
    }

    @Test(arguments: [(UInt64(0), "0"), (1_500_000_000, "1.5"), (12_000, "0.000012"), (3_000_000_000, "3")])
    func secondsAreExactDecimals(nanos: UInt64, expected: String) {
        #expect(PrometheusExposition.seconds(nanos: nanos) == expected)
    }

    @Test func providerStateComesFromTheRoutingSnapshot() {
        let chain = ChainSnapshot(providers: [
            ProviderSnapshot(id: "a", priority: 1, http: ChannelHealth(phase: .open), ws: ChannelHealth(phase: .halfOpen),
                             headBlock: 100),
            ProviderSnapshot(id: "b", priority: 2, http: ChannelHealth(phase: .forcedOpen), headBlock: 104),
            ProviderSnapshot(id: "c", priority: 3),
        ])
        var snapshot = PrometheusSnapshot()
        snapshot.addProviderState(chain: "ethereum", from: chain)
        #expect(snapshot.breakers == [
            .init(chain: "ethereum", provider: "a", transport: .http, phase: .open),
            .init(chain: "ethereum", provider: "a", transport: .ws, phase: .halfOpen),
            .init(chain: "ethereum", provider: "b", transport: .http, phase: .forcedOpen),
            .init(chain: "ethereum", provider: "c", transport: .http, phase: .closed),
        ])
        #expect(snapshot.providers == [
            .init(chain: "ethereum", provider: "a", available: true, lagBlocks: 4),
            .init(chain: "ethereum", provider: "b", available: false, lagBlocks: 0),
            .init(chain: "ethereum", provider: "c", available: true, lagBlocks: nil),
        ])
    }
}
