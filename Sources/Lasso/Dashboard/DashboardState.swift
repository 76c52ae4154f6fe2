import Foundation
import Supervision

/// One push to the dashboard's pages: gathered from the same places `lassod ctl` and
/// `/metrics` read, written with `JSONWriter`.
///
/// ```json
/// {"type":"state","seq":12,"mono_ms":5012,"at_ms":1764086610123,"version":"0.9.0",
///  "chains":[{"chain":"ethereum","status":{…ChainStatus, as `lassod ctl status` gets it…},
///             "matrix":[{"provider":"ethereum_ankr","method":"eth_call","transport":"http",
///                        "calls":120,"errors":3,"mean_ms":41.5}],
///             "transitions":[{"provider":"ethereum_ankr","transport":"http","from":"closed","to":"open","at_ms":…}],
///             "subscriptions":[{"key":"newHeads","kind":"newHeads","provider":"ethereum_ankr","phase":"live",
///                               "clients":2,"pending":0,"last_block":21000000,"failovers":1,"backfilled":3,
///                               "skipped":0,"duplicates_dropped":1,"last_failover":{"reason":"socket_closed",
///                               "from":"ethereum_llama","to":"ethereum_ankr","duration_ms":412,"backfilled":3,"skipped":0}}],
///             "subscription_keys":1}],
///  "tree":{…TreeSnapshot, as `lassod ctl tree` gets it…},
///  "feed":[{…rpc.request.completed line…}],"feed_skipped":0}
/// ```
/// `tree` is present only when the tree changed since the last push, or a second passed (its
/// uptimes); a page keeps the last one it got. `feed` holds only the decisions since the last
/// push (routing decisions and subscription failovers). Providers appear by id only, never by
/// URL. `subscriptions` is read from the chain's `SubscriptionTable` (as `status`' own would be,
/// which is left out so that a push carries it once), at most `maxSubscriptionKeys` of them.
public struct DashboardState: Sendable {
    /// How long a gather waits for any one process before leaving its part out.
    static let callTimeout = Duration.seconds(1)

    /// Gathers and renders one push.
    static func render(hub: DashboardHub, seq: Int, monoNanos: UInt64, includeTree: Bool) async -> [UInt8] {
        let control = hub.currentControl
        let config = hub.configs.config
        // What needs a process's answer is gathered first; the counters, transitions and feed
        // are read last, just before the bytes go out, so a change is never older in a push
        // than the time it took to write it.
        var statuses: [String: Data] = [:]
        for chain in config.chains {
            if let control, var status = try? await control.status(chain: chain.key) {
                status.subscriptions = []
                statuses[chain.key] = try? AdminReply.encode(status)
            }
        }
        var tree: Data?
        if includeTree, let control { tree = try? AdminReply.encode(await control.tree()) }

        let (requests, _) = hub.counters.snapshot()
        var json = JSONWriter(capacity: 16 << 10)
        json.beginObject()
        json.string("type", "state")
        json.int("seq", seq)
        json.int("mono_ms", Int(monoNanos / 1_000_000))
        json.int("at_ms", Int(RFC3339Timestamp.nowUnixMillis()))
        json.string("version", LassoVersion.string)
        json.string("region", Region.name(config.server.region))
        json.beginArray("chains")
        for chain in config.chains {
            json.beginObject()
            json.string("chain", chain.key)
            json.string("name", chain.name)
            json.int("chain_id", chain.chainId)
            if let status = statuses[chain.key] { json.raw("status", status) }
            writeMatrix(requests.filter { $0.chain == chain.key }, to: &json)
            writeTransitions(hub.transitions.transitions(chain: chain.key), to: &json)
            writeSubscriptions(hub.subscriptions.existing(chain.key)?.statuses() ?? [], to: &json)
            json.endObject()
        }
        json.endArray()
        if let tree { json.raw("tree", tree) }
        if let simulator = hub.currentSimulator {
            json.beginArray("simulated")
            for (provider, behavior) in simulator.behaviors() {
                json.beginObject()
                json.string("provider", provider)
                json.string("behavior", behavior)
                json.endObject()
            }
            json.endArray()
        }
        let (entries, skipped) = hub.feed.drain()
        writeFeed(entries, to: &json)
        json.int("feed_skipped", skipped)
        json.endObject()
        return json.finish()
    }

    /// `{"type":"history","chains":{"ethereum":{"alpha":[[start_ms,mean_ms,success_rate,calls],…]}}}`:
    /// the last 24 h from `BenchmarkPersistence`, one point per hour and provider (all methods and
    /// transports: the mean weighted by successes), for the page's 24 h chart.
    static func history(_ points: [BenchmarkHistoryPoint], chains: [String]) -> [UInt8] {
        var json = JSONWriter(capacity: 1_024 + points.count * 256)
        json.beginObject()
        json.string("type", "history")
        json.beginObject("chains")
        for chain in chains {
            var series: [String: [(start: Int64, meanMs: Double, successRate: Double, calls: UInt64)]] = [:]
            for point in points {
                var totals: [String: (successes: UInt64, failures: UInt64, latency: Double)] = [:]
                for entry in point.chains[chain] ?? [] {
                    var total = totals[entry.provider] ?? (0, 0, 0)
                    total.successes += entry.successes
                    total.failures += entry.failures
                    total.latency += entry.meanMs * Double(entry.successes)
                    totals[entry.provider] = total
                }
                for (provider, total) in totals {
                    let calls = total.successes + total.failures
                    series[provider, default: []].append((point.startMs, total.successes == 0 ? 0 : total.latency / Double(total.successes),
                                                          calls == 0 ? 0 : Double(total.successes) / Double(calls), calls))
                }
            }
            json.key(chain)
            json.beginObject()
            for provider in series.keys.sorted() {
                json.key(provider)
                json.beginArray()
                for sample in series[provider] ?? [] {
                    json.beginArray()
                    json.integerValue(Int(sample.start))
                    json.doubleValue((sample.meanMs * 1_000).rounded() / 1_000)
                    json.doubleValue((sample.successRate * 10_000).rounded() / 10_000)
                    json.integerValue(Int(clamping: sample.calls))
                    json.endArray()
                }
                json.endArray()
            }
            json.endObject()
        }
        json.endObject()
        json.endObject()
        return json.finish()
    }

    /// `{"type":"feed","feed":[…]}`: the recent decisions, for a page that just opened.
    static func recentFeed(_ entries: [[UInt8]]) -> [UInt8] {
        var json = JSONWriter(capacity: 512 + entries.count * 640)
        json.beginObject()
        json.string("type", "feed")
        writeFeed(entries, to: &json)
        json.endObject()
        return json.finish()
    }

    /// Provider × method: calls, errors and mean latency from the request counters (what
    /// `lasso_requests_total` and `lasso_request_duration_seconds` count), so a request shows
    /// up in the next push.
    static func writeMatrix(_ series: [PrometheusSnapshot.RequestSeries], to json: inout JSONWriter) {
        json.beginArray("matrix")
        for entry in series.sorted(by: { ($0.provider, $0.method, $0.transport.rawValue)
                                         < ($1.provider, $1.method, $1.transport.rawValue) }) {
            let calls = entry.successes + entry.errors
            json.beginObject()
            json.string("provider", entry.provider)
            json.string("method", entry.method)
            json.string("transport", entry.transport.rawValue)
            json.int("calls", Int(clamping: calls))
            json.int("errors", Int(clamping: entry.errors))
            // Milliseconds at microsecond resolution, as the log lines have them.
            let meanMicros = calls == 0 ? 0 : (Double(entry.durationSumNanos) / Double(calls) / 1_000).rounded()
            json.key("mean_ms")
            json.doubleValue(meanMicros / 1_000)
            json.endObject()
        }
        json.endArray()
    }

    static func writeTransitions(_ transitions: [DashboardTransitions.Transition], to json: inout JSONWriter) {
        json.beginArray("transitions")
        for transition in transitions {
            json.beginObject()
            json.string("provider", transition.provider)
            json.string("transport", transition.transport)
            json.string("from", transition.from)
            json.string("to", transition.to)
            json.int("at_ms", Int(transition.atUnixMillis))
            json.endObject()
        }
        json.endArray()
    }

    /// Subscription keys a push shows per chain, at most: those with the most clients (a chain
    /// may follow 1 024 keys; a page needs the busy ones, and a push must stay small).
    static let maxSubscriptionKeys = 100

    /// The chain's subscription streams as `lassod ctl status` has them (`ChainStatus.Subscription`:
    /// a logs filter cut to 200 characters): provider, phase, clients, last block, failovers,
    /// backfilled and skipped blocks, and the last failover; then how many keys there are in all.
    static func writeSubscriptions(_ statuses: [StreamStatus], to json: inout JSONWriter) {
        let shown = statuses.map(ChainStatus.Subscription.init)
            .sorted { ($1.clients + $1.pending, $0.key) < ($0.clients + $0.pending, $1.key) }
            .prefix(maxSubscriptionKeys)
        json.beginArray("subscriptions")
        for stream in shown {
            json.beginObject()
            json.string("key", stream.key)
            json.string("kind", stream.kind)
            if let provider = stream.provider { json.string("provider", provider) } else { json.null("provider") }
            json.string("phase", stream.phase)
            json.int("clients", stream.clients)
            json.int("pending", stream.pending)
            if let block = stream.lastBlock { json.int("last_block", Int(clamping: block)) } else { json.null("last_block") }
            if let block = stream.completeThrough { json.int("complete_through", Int(clamping: block)) }
            json.int("failovers", stream.failovers)
            json.int("backfilled", stream.backfilled)
            json.int("skipped", stream.skipped)
            json.int("duplicates_dropped", stream.duplicatesDropped)
            if let failover = stream.lastFailover {
                json.beginObject("last_failover")
                json.string("reason", failover.reason)
                if let from = failover.from { json.string("from", from) } else { json.null("from") }
                if let to = failover.to { json.string("to", to) } else { json.null("to") }
                if let duration = failover.durationMs { json.int("duration_ms", duration) } else { json.null("duration_ms") }
                json.int("backfilled", failover.backfilled)
                json.int("skipped", failover.skipped)
                json.endObject()
            } else {
                json.null("last_failover")
            }
            json.endObject()
        }
        json.endArray()
        json.int("subscription_keys", statuses.count)
    }

    /// The feed entries, each an `rpc.request.completed` line without its newline.
    static func writeFeed(_ entries: [[UInt8]], to json: inout JSONWriter) {
        json.beginArray("feed")
        for entry in entries {
            json.rawValue(entry.last == 0x0A ? entry.dropLast() : entry[...])
        }
        json.endArray()
    }
}
