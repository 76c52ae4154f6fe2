/// The routing metadata a client can ask to see with its response (opt-in, never by default).
///
/// - `?include_meta=headers` or `X-Lasso-Include-Meta: headers` → response headers
///   `X-Lasso-Request-ID: <id>` and `X-Lasso-Meta: <base64url JSON>`; when the encoded JSON is
///   longer than `max_meta_header_bytes`, `X-Lasso-Meta` is left out and the id alone is sent,
///   so a proxy in front with a header size limit never rejects the response.
/// - `?include_meta=body` or `X-Lasso-Include-Meta: body` → a `"lasso_meta":{…}` member
///   appended to the JSON-RPC response object; the rest of the body is passed through
///   byte-for-byte.
///
/// The query parameter wins over the header; unknown values mean no metadata. The JSON is the
/// compact routing summary below, identical in both modes; it names providers by id only:
/// ```json
/// {"version":"1.0","request_id":"21027f76…","strategy":"fastest","chain":"ethereum","transport":"http",
///  "selected_provider":{"id":"ethereum_llamarpc","protocol":"http"},
///  "candidate_providers":["ethereum_cloudflare:http","ethereum_llamarpc:http"],
///  "selection_reason":"fastest_method_latency","retries":1,"circuit_breaker_state":"closed",
///  "selection_latency_ms":0.012,"upstream_latency_ms":525,"end_to_end_latency_ms":525.31}
/// ```
public enum ClientMetadata {
    /// What the client asked for.
    public enum Mode: String, Sendable {
        /// No metadata (the default).
        case none
        /// `X-Lasso-Request-ID` and `X-Lasso-Meta` headers.
        case headers
        /// A `lasso_meta` member in the response body.
        case body
    }

    /// The request header carrying the opt-in.
    public static let optInHeader = "X-Lasso-Include-Meta"
    /// The response header carrying the request id.
    public static let requestIDHeader = "X-Lasso-Request-ID"
    /// The response header carrying the encoded metadata.
    public static let metaHeader = "X-Lasso-Meta"
    /// Version of the metadata JSON's shape, so clients can detect changes.
    public static let version = "1.0"

    /// The mode asked for by the request's raw query string (without `?`, may be `nil`) and the
    /// `X-Lasso-Include-Meta` header value (may be `nil`).
    public static func mode(query: Substring?, header: Substring?) -> Mode {
        if let query {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                guard let equals = pair.firstIndex(of: "="), pair[..<equals] == "include_meta" else { continue }
                return parse(pair[pair.index(after: equals)...])
            }
        }
        if let header { return parse(header) }
        return .none
    }

    /// The metadata JSON for `context`.
    public static func json(for context: RequestContext) -> [UInt8] {
        var json = JSONWriter(capacity: 384)
        json.beginObject()
        json.string("version", version)
        json.requestID("request_id", context.requestID)
        json.string("strategy", context.strategy.rawValue)
        json.string("chain", context.chain)
        json.string("transport", context.transport.rawValue)
        RequestLogLine.writeSelectedProvider(context.selectedProvider, to: &json)
        RequestLogLine.writeCandidateProviders(context.candidateProviders, to: &json)
        if let reason = context.selectionReason { json.string("selection_reason", reason) }
        json.int("retries", context.retries)
        RequestLogLine.writeBreakerState(context.circuitBreakerState, to: &json)
        RequestLogLine.writeLastResort(context.lastResort, to: &json)
        json.milliseconds("selection_latency_ms", nanos: context.selectionLatencyNanos)
        RequestLogLine.writeUpstreamLatency(context.upstreamLatencyNanos, to: &json)
        json.milliseconds("end_to_end_latency_ms", nanos: context.endToEndLatencyNanos)
        json.endObject()
        return json.finish()
    }

    /// The response headers for `headers` mode: the id always, the metadata when its encoding
    /// fits in `maxMetaHeaderBytes`.
    public static func headers(for context: RequestContext, maxMetaHeaderBytes: Int) -> [(name: String, value: String)] {
        var headers = [(name: requestIDHeader, value: context.requestID.description)]
        let meta = json(for: context)
        if Base64URL.encodedLength(of: meta.count) <= maxMetaHeaderBytes {
            headers.append((name: metaHeader, value: Base64URL.encode(meta)))
        }
        return headers
    }

    /// `response` (a JSON-RPC response object's bytes) with `"lasso_meta":<meta>` added as its
    /// last member, inserted before the closing `}` without re-encoding anything else.
    /// `nil` when `response` is not a single JSON object (a batch array, or garbage); send it
    /// unchanged then.
    public static func injectBody(_ response: [UInt8], meta: [UInt8]) -> [UInt8]? {
        guard let first = response.firstIndex(where: { !isWhitespace($0) }), response[first] == UInt8(ascii: "{"),
              let last = response.lastIndex(where: { !isWhitespace($0) }), last > first,
              response[last] == UInt8(ascii: "}"),
              let beforeClose = response[..<last].lastIndex(where: { !isWhitespace($0) })
        else { return nil }
        // In a valid object the byte before the closing brace is `{` only when it is empty.
        let isEmpty = beforeClose == first
        var output = [UInt8]()
        output.reserveCapacity(response.count + meta.count + 16)
        output.append(contentsOf: response[..<last])
        if !isEmpty { output.append(UInt8(ascii: ",")) }
        output.append(contentsOf: #""lasso_meta":"#.utf8)
        output.append(contentsOf: meta)
        output.append(contentsOf: response[last...])
        return output
    }

    private static func parse(_ value: Substring) -> Mode {
        switch value.lowercased() {
        case "headers": .headers
        case "body": .body
        default: .none
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
