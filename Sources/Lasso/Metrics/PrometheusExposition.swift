/// Renders a `PrometheusSnapshot` in the Prometheus text exposition format (version 0.0.4),
/// the body of `GET /metrics` (content type `text/plain; version=0.0.4; charset=utf-8`).
///
/// Metrics, each with `# HELP` and `# TYPE`, series sorted by their labels so output is stable:
/// ```
/// lasso_requests_total{chain,provider,method,transport,status}          counter  status: success|error
/// lasso_request_errors_total{chain,provider,transport,category}         counter
/// lasso_request_duration_seconds{chain,provider,method,transport}       histogram (_bucket{le}, _sum, _count)
/// lasso_circuit_breaker_state{chain,provider,transport}                 gauge    0 closed, 1 half-open, 2 open
/// lasso_provider_available{chain,provider}                              gauge    1 available, 0 not
/// lasso_provider_lag_blocks{chain,provider}                             gauge    blocks behind the best head
/// lasso_subscription_…{chain,kind}                                      gauges and counters of the streams
/// lasso_client_connections{transport}                                   gauge    http|ws, open now
/// lasso_client_connections_limit                                        gauge    server.max_connections
/// ```
/// A forced-open breaker reports 2, like an open one: no traffic flows either way. With a region
/// (`server.region` / `LASSO_REGION`) every series has `region` as its first label.
/// Label values are escaped as the format requires (`\` → `\\`, `"` → `\"`, newline → `\n`);
/// labels only ever hold ids, method names and categories — never a provider URL.
public enum PrometheusExposition {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text for `snapshot`.
    public static func render(_ snapshot: PrometheusSnapshot) -> String {
        var out = [UInt8]()
        out.reserveCapacity(4_096 + snapshot.requests.count * 2_048)

        let requests = snapshot.requests.sorted {
            ($0.chain, $0.provider, $0.method, $0.transport.rawValue) < ($1.chain, $1.provider, $1.method, $1.transport.rawValue)
        }
        header("lasso_requests_total", "counter", "Proxied JSON-RPC requests by chain, provider, method, transport and outcome.", &out)
        for series in requests {
            for (status, count) in [("success", series.successes), ("error", series.errors)] {
                sample("lasso_requests_total", [("chain", series.chain), ("provider", series.provider),
                                                ("method", series.method), ("transport", series.transport.rawValue),
                                                ("status", status)], count, &out, region: snapshot.region)
            }
        }

        header("lasso_request_errors_total", "counter", "Requests that ended in a JSON-RPC error, by error category.", &out)
        let errors = snapshot.errors.sorted {
            ($0.chain, $0.provider, $0.transport.rawValue, $0.category) < ($1.chain, $1.provider, $1.transport.rawValue, $1.category)
        }
        for series in errors {
            sample("lasso_request_errors_total", [("chain", series.chain), ("provider", series.provider),
                                                  ("transport", series.transport.rawValue), ("category", series.category)],
                   series.count, &out, region: snapshot.region)
        }

        header("lasso_request_duration_seconds", "histogram", "End-to-end request latency as seen by the client.", &out)
        for series in requests {
            let labels = [("chain", series.chain), ("provider", series.provider), ("method", series.method),
                          ("transport", series.transport.rawValue)]
            var cumulative: UInt64 = 0
            for (index, bucket) in RequestCounters.durationBuckets.enumerated() {
                cumulative &+= index < series.bucketCounts.count ? series.bucketCounts[index] : 0
                sample("lasso_request_duration_seconds_bucket", labels + [("le", bucket.label)], cumulative, &out, region: snapshot.region)
            }
            let total = series.bucketCounts.reduce(0, &+)
            sample("lasso_request_duration_seconds_bucket", labels + [("le", "+Inf")], total, &out, region: snapshot.region)
            line("lasso_request_duration_seconds_sum", labels, seconds(nanos: series.durationSumNanos), &out, region: snapshot.region)
            sample("lasso_request_duration_seconds_count", labels, total, &out, region: snapshot.region)
        }

        header("lasso_circuit_breaker_state", "gauge", "Circuit breaker per provider and transport: 0 closed, 1 half-open, 2 open.", &out)
        let breakers = snapshot.breakers.sorted {
            ($0.chain, $0.provider, $0.transport.rawValue) < ($1.chain, $1.provider, $1.transport.rawValue)
        }
        for series in breakers {
            sample("lasso_circuit_breaker_state", [("chain", series.chain), ("provider", series.provider),
                                                   ("transport", series.transport.rawValue)],
                   gaugeValue(series.phase), &out, region: snapshot.region)
        }

        let providers = snapshot.providers.sorted { ($0.chain, $0.provider) < ($1.chain, $1.provider) }
        header("lasso_provider_available", "gauge", "Whether the provider is available for routing (1) or not (0).", &out)
        for series in providers {
            sample("lasso_provider_available", [("chain", series.chain), ("provider", series.provider)],
                   series.available ? 1 : 0, &out, region: snapshot.region)
        }
        header("lasso_provider_lag_blocks", "gauge", "Blocks the provider's head is behind the best known head of its chain.", &out)
        for series in providers {
            guard let lag = series.lagBlocks else { continue }
            sample("lasso_provider_lag_blocks", [("chain", series.chain), ("provider", series.provider)], lag, &out, region: snapshot.region)
        }
        subscriptionSeries(snapshot, &out)
        if let connections = snapshot.clientConnections {
            header("lasso_client_connections", "gauge", "Client connections open now, by transport.", &out)
            sample("lasso_client_connections", [("transport", "http")], UInt64(max(0, connections.http)), &out,
                   region: snapshot.region)
            sample("lasso_client_connections", [("transport", "ws")], UInt64(max(0, connections.webSockets)), &out,
                   region: snapshot.region)
            header("lasso_client_connections_limit", "gauge",
                   "server.max_connections: beyond it new clients wait in the kernel's backlog.", &out)
            sample("lasso_client_connections_limit", [], UInt64(max(0, connections.limit)), &out, region: snapshot.region)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func subscriptionSeries(_ snapshot: PrometheusSnapshot, _ out: inout [UInt8]) {
        let series = snapshot.subscriptions.sorted { ($0.chain, $0.kind) < ($1.chain, $1.kind) }
        let metrics: [(String, String, String, (SubscriptionSeriesValue) -> Int)] = [
            ("lasso_subscription_keys", "gauge", "Subscription keys followed upstream (one upstream subscription each).", { $0.keys }),
            ("lasso_subscription_clients", "gauge", "Client subscriptions confirmed.", { $0.clients }),
            ("lasso_subscription_events_delivered_total", "counter", "Events sent to the clients of a key (counted once per key).",
             { $0.counters.delivered }),
            ("lasso_subscription_failovers_total", "counter", "Times a key's stream left its upstream.", { $0.counters.failovers }),
            ("lasso_subscription_backfilled_blocks_total", "counter", "Blocks fetched over HTTP to close a stream's gap.",
             { $0.counters.backfilled }),
            ("lasso_subscription_skipped_blocks_total", "counter", "Blocks given up: beyond max_backfill_blocks or past backfill_timeout_ms.",
             { $0.counters.skipped }),
            ("lasso_subscription_duplicates_dropped_total", "counter", "Events dropped because the stream had delivered them.",
             { $0.counters.duplicatesDropped }),
            ("lasso_subscription_reorgs_total", "counter", "Reorganisations delivered to clients.", { $0.counters.reorgs }),
        ]
        for (name, type, help, value) in metrics {
            header(name, type, help, &out)
            for item in series {
                sample(name, [("chain", item.chain), ("kind", item.kind)], UInt64(max(0, value(item))), &out,
                       region: snapshot.region)
            }
        }
    }

    private typealias SubscriptionSeriesValue = PrometheusSnapshot.SubscriptionSeries

    /// The gauge value of a breaker phase.
    public static func gaugeValue(_ phase: BreakerPhase) -> UInt64 {
        switch phase {
        case .closed: 0
        case .halfOpen: 1
        case .open, .forcedOpen: 2
        }
    }

    /// `value` escaped for use inside a label's double quotes.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else {
            return value
        }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    private static func header(_ name: String, _ type: String, _ help: String, _ out: inout [UInt8]) {
        out.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
    }

    private static func sample(_ name: String, _ labels: [(String, String)], _ value: UInt64, _ out: inout [UInt8],
                               region: String?) {
        line(name, labels, String(value), &out, region: region)
    }

    private static func line(_ name: String, _ labels: [(String, String)], _ value: String, _ out: inout [UInt8],
                             region: String?) {
        let labels = region.map { [("region", $0)] + labels } ?? labels
        out.append(contentsOf: name.utf8)
        if !labels.isEmpty {
            out.append(UInt8(ascii: "{"))
            for (index, (label, labelValue)) in labels.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: label.utf8)
                out.append(contentsOf: "=\"".utf8)
                out.append(contentsOf: escapeLabelValue(labelValue).utf8)
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: value.utf8)
        out.append(UInt8(ascii: "\n"))
    }

    /// Nanoseconds as decimal seconds, exact to the nanosecond (`1.5`, `0.000012`): integer
    /// arithmetic, so no float formatting differences between platforms.
    static func seconds(nanos: UInt64) -> String {
        let whole = nanos / 1_000_000_000
        var fraction = nanos % 1_000_000_000
        guard fraction > 0 else { return String(whole) }
        var digits = [UInt8]()
        var divisor: UInt64 = 100_000_000
        while fraction > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
        return String(whole) + "." + String(decoding: digits, as: UTF8.self)
    }
}
