/// The `rpc.request.completed` line: one JSON object per proxied request, in the seed's shape
/// plus `ts` and `level`, on one line.
///
/// ```json
/// {"ts":"2026-11-25T16:03:30.123Z","level":"info","event":"rpc.request.completed",
///  "request_id":"21027f767548a9b6ddff97c860e7e58c","strategy":"cheapest","chain":"ethereum",
///  "transport":"http","jsonrpc_method":"eth_blockNumber","params_present":false,
///  "routing":{"candidate_providers":["ethereum_cloudflare:http","ethereum_llamarpc:http"],
///             "selected_provider":{"id":"ethereum_llamarpc","protocol":"http"},
///             "selection_latency_ms":0.012,"retries":1,"circuit_breaker_state":"closed"},
///  "timing":{"upstream_latency_ms":592,"end_to_end_latency_ms":592.104},
///  "response":{"status":"success","result_type":"string"}}
/// ```
/// (wrapped here; the real line has no whitespace). Rules:
/// - `params_digest` appears only when params are present and `include_params_digest` is on.
/// - Latencies are milliseconds at microsecond resolution (the seed's integers would show a
///   0 for everything lassod itself does). `upstream_latency_ms` is `null` when no attempt got
///   an answer; `selected_provider` is `null` and `circuit_breaker_state` `"unknown"` when no
///   attempt was made. `routing.last_resort: true` marks a request sent to channels whose
///   breakers refused traffic because nothing else was left.
/// - `response.error` (`code`, `message`, `category`) appears on errors; the message is
///   scrubbed of provider secrets (`SecretScrubber`) and then cut to
///   `max_error_message_chars` characters (grapheme clusters, so never mid-character).
/// - Providers appear only as ids and `id:transport` pairs, never as URLs.
/// - Level: `info` for a success, `warning` for an error, so `log_level: warning` keeps just the
///   failed requests.
public enum RequestLogLine {
    /// The event name.
    public static let event = "rpc.request.completed"

    /// The level a completed request is logged at.
    public static func level(for context: RequestContext) -> ObservabilityConfig.LogLevel {
        context.status == .success ? .info : .warning
    }

    /// The line for `context`, ending in `\n`, stamped with `unixMillis`.
    public static func render(_ context: RequestContext, config: ObservabilityConfig,
                              scrubber: SecretScrubber, unixMillis: Int64, region: String? = nil) -> [UInt8] {
        var json = JSONWriter(capacity: 640)
        json.beginObject()
        json.timestamp("ts", unixMillis: unixMillis)
        json.string("level", level(for: context).rawValue)
        json.string("event", event)
        if let region { json.string("region", region) }
        json.requestID("request_id", context.requestID)
        json.string("strategy", context.strategy.rawValue)
        json.string("chain", context.chain)
        json.string("transport", context.transport.rawValue)
        json.string("jsonrpc_method", context.method)
        json.bool("params_present", context.paramsPresent)
        if config.includeParamsDigest, let digest = context.paramsDigest {
            json.string("params_digest", digest)
        }

        json.beginObject("routing")
        writeCandidateProviders(context.candidateProviders, to: &json)
        writeSelectedProvider(context.selectedProvider, to: &json)
        json.milliseconds("selection_latency_ms", nanos: context.selectionLatencyNanos)
        json.int("retries", context.retries)
        writeBreakerState(context.circuitBreakerState, to: &json)
        writeLastResort(context.lastResort, to: &json)
        json.endObject()

        json.beginObject("timing")
        writeUpstreamLatency(context.upstreamLatencyNanos, to: &json)
        json.milliseconds("end_to_end_latency_ms", nanos: context.endToEndLatencyNanos)
        json.endObject()

        json.beginObject("response")
        json.string("status", context.status.rawValue)
        if let resultType = context.resultType { json.string("result_type", resultType.rawValue) }
        if let error = context.error {
            json.beginObject("error")
            json.int("code", error.code)
            json.string("message", truncate(scrubber.scrub(error.message), toCharacters: config.maxErrorMessageChars))
            json.string("category", error.category)
            json.endObject()
        }
        json.endObject()
        json.endObject()
        return json.finishLine()
    }

    // The fields below are written alike here and in the client metadata (`ClientMetadata`).

    /// `candidate_providers` as `["<id>:<transport>", …]`, best first.
    static func writeCandidateProviders(_ channels: [Channel], to json: inout JSONWriter) {
        json.beginArray("candidate_providers")
        for channel in channels {
            json.stringValue(channel.providerID, UInt8(ascii: ":"), channel.transport.rawValue)
        }
        json.endArray()
    }

    /// `circuit_breaker_state`: the selected channel's phase when tried, `unknown` with no attempt.
    static func writeBreakerState(_ phase: BreakerPhase?, to json: inout JSONWriter) {
        json.string("circuit_breaker_state", phase?.rawValue ?? "unknown")
    }

    /// `last_resort: true` when the request went to channels whose breakers refused traffic,
    /// nothing else being left (`Selection` rule 6); absent otherwise.
    static func writeLastResort(_ lastResort: Bool, to json: inout JSONWriter) {
        if lastResort { json.bool("last_resort", true) }
    }

    /// `upstream_latency_ms`: the last attempt's round trip, `null` when none got an answer.
    static func writeUpstreamLatency(_ nanos: UInt64?, to json: inout JSONWriter) {
        guard let nanos else {
            json.null("upstream_latency_ms")
            return
        }
        json.milliseconds("upstream_latency_ms", nanos: nanos)
    }

    /// `selected_provider` as `{"id":…,"protocol":…}` or `null`.
    static func writeSelectedProvider(_ channel: Channel?, to json: inout JSONWriter) {
        guard let channel else {
            json.null("selected_provider")
            return
        }
        json.beginObject("selected_provider")
        json.string("id", channel.providerID)
        json.string("protocol", channel.transport.rawValue)
        json.endObject()
    }

    /// `text` cut to at most `limit` characters, on a grapheme boundary.
    static func truncate(_ text: String, toCharacters limit: Int) -> String {
        // UTF-8 length bounds the character count from above: the common short message skips
        // grapheme breaking entirely.
        guard text.utf8.count > limit else { return text }
        return String(text.prefix(max(0, limit)))
    }
}
