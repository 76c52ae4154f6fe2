/// Everything lassod learns about one proxied request, filled in along the pipeline and read
/// once at the end by the `rpc.request.completed` log line, the client metadata and the
/// metrics. A value: each stage takes it, adds what it decided, and hands it on; nothing is
/// shared between threads.
///
/// Time is given, never read: every mark takes a monotonic instant in nanoseconds from the
/// caller (the pipeline passes its runtime clock's `now().nanoseconds`), so tests are exact
/// and the pipeline decides which clock is authoritative. Differences saturate at zero.
///
/// ```swift
/// var context = RequestContext(requestID: .random(), chain: "ethereum", method: "eth_blockNumber",
///                              transport: .http, strategy: .fastest, startedAtNanos: t0)
/// paramsBytes.withUnsafeBytes { context.recordParams($0, includeDigest: config.includeParamsDigest) }
/// context.recordSelection(candidates: channels, startedAtNanos: t0, finishedAtNanos: t1)
/// context.recordAttempt(on: channels[0], breakerPhase: .closed, startedAtNanos: t1)   // retries 0
/// context.recordAttempt(on: channels[1], breakerPhase: .closed, startedAtNanos: t2)   // retries 1
/// context.recordUpstreamResponse(atNanos: t3)
/// context.recordSuccess(resultType: .string, atNanos: t4)
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct RequestContext: Sendable, Equatable {
    /// How the request ended for the client.
    public enum Status: String, Sendable {
        /// The client got a `result`.
        case success
        /// The client got a JSON-RPC `error`, from a provider or from lassod.
        case error
    }

    /// The JSON type of a successful `result`: enough to spot an unexpected `null` without
    /// logging the result itself.
    public enum ResultType: String, Sendable {
        /// A JSON string (`"0x10"`: most `eth_` results).
        case string
        /// A JSON object (a block, a receipt).
        case object
        /// A JSON array (logs).
        case array
        /// A JSON number.
        case number
        /// `true` or `false`.
        case boolean
        /// `null` (a missing transaction or block).
        case null

        /// The type of a JSON value from its first byte; `nil` for a byte no value starts with.
        public init?(firstByte: UInt8) {
            switch firstByte {
            case UInt8(ascii: "\""): self = .string
            case UInt8(ascii: "{"): self = .object
            case UInt8(ascii: "["): self = .array
            case UInt8(ascii: "t"), UInt8(ascii: "f"): self = .boolean
            case UInt8(ascii: "n"): self = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): self = .number
            default: return nil
            }
        }
    }

    /// The JSON-RPC error the client received.
    public struct ErrorDetail: Sendable, Equatable {
        /// `error.code`.
        public var code: Int
        /// `error.message` as received; the log line truncates and scrubs it, the context keeps
        /// it whole.
        public var message: String
        /// Why it happened, as a metrics label: `ErrorClassification.label` for upstream errors
        /// (`caller.execution_reverted`, `provider.timeout`, …) or the pipeline's own when no
        /// provider answered (`no_provider`, `all_failed`, `caller.invalid_method`,
        /// `caller.write_method`, `provider.method_unsupported`).
        public var category: String

        /// An error detail as given.
        public init(code: Int, message: String, category: String) {
            self.code = code
            self.message = message
            self.category = category
        }
    }

    /// This request's id.
    public var requestID: RequestID
    /// The chain name the request was routed on.
    public var chain: String
    /// The JSON-RPC method.
    public var method: String
    /// Whether the request carried params other than an empty array or object.
    public var paramsPresent = false
    /// `ParamsDigest` of the raw params, when present and enabled.
    public var paramsDigest: String?
    /// How the client reached lassod (HTTP POST or a WebSocket frame); the upstream transport
    /// is `selectedProvider.transport`.
    public var transport: TransportKind
    /// The strategy that ordered the candidates.
    public var strategy: SelectionStrategy
    /// The channels `Selection` returned, best first.
    public var candidateProviders: [Channel] = []
    /// The channel of the last attempt: the one that answered, or the last one that failed.
    public var selectedProvider: Channel?
    /// Why the candidates were ordered as they were (`fastest_method_latency`, …).
    public var selectionReason: String?
    /// Time spent in selection.
    public var selectionLatencyNanos: UInt64 = 0
    /// Attempts after the first.
    public var retries = 0
    /// The selected channel's breaker phase when it was tried; `nil` before any attempt.
    public var circuitBreakerState: BreakerPhase?
    /// Whether the attempts went, as a last resort, to channels whose breakers refused traffic:
    /// nothing else was left (`Selection` rule 6, `RequestPipeline`).
    public var lastResort = false
    /// The last attempt's round trip; `nil` when no attempt got an answer.
    public var upstreamLatencyNanos: UInt64?
    /// From `startedAtNanos` to completion.
    public var endToEndLatencyNanos: UInt64 = 0
    /// The outcome; `success` until an error is recorded.
    public var status = Status.success
    /// The `result`'s JSON type on success.
    public var resultType: ResultType?
    /// The error on failure.
    public var error: ErrorDetail?
    /// When the request arrived, on the caller's monotonic clock.
    public let startedAtNanos: UInt64
    /// When the last attempt started.
    private var attemptStartedAtNanos: UInt64?

    /// A context for a request that arrived at `startedAtNanos`.
    public init(requestID: RequestID, chain: String, method: String, transport: TransportKind,
                strategy: SelectionStrategy, startedAtNanos: UInt64) {
        self.requestID = requestID
        self.chain = chain
        self.method = method
        self.transport = transport
        self.strategy = strategy
        self.startedAtNanos = startedAtNanos
    }

    /// Notes the request's raw `params` bytes (`nil` when absent or `null`) and, if
    /// `includeDigest`, their digest. `[]` and `{}` count as no params, as in the seed.
    public mutating func recordParams(_ params: UnsafeRawBufferPointer?, includeDigest: Bool) {
        guard let params, !Self.isEmptyContainer(params) else {
            paramsPresent = false
            paramsDigest = nil
            return
        }
        paramsPresent = true
        paramsDigest = includeDigest ? ParamsDigest.digest(of: params) : nil
    }

    /// Notes `Selection`'s answer and how long it took. `reason` defaults to the strategy's
    /// (`reason(for:)`).
    public mutating func recordSelection(candidates: [Channel], reason: String? = nil,
                                         startedAtNanos: UInt64, finishedAtNanos: UInt64) {
        candidateProviders = candidates
        selectionReason = reason ?? Self.reason(for: strategy)
        selectionLatencyNanos = Self.elapsed(from: startedAtNanos, to: finishedAtNanos)
    }

    /// Notes an attempt on `channel` whose breaker was in `breakerPhase`; every attempt after
    /// the first counts as a retry.
    public mutating func recordAttempt(on channel: Channel, breakerPhase: BreakerPhase, startedAtNanos: UInt64) {
        if selectedProvider != nil { retries += 1 }
        selectedProvider = channel
        circuitBreakerState = breakerPhase
        attemptStartedAtNanos = startedAtNanos
        upstreamLatencyNanos = nil
    }

    /// Notes that the current attempt's response (or failure) arrived at `atNanos`.
    public mutating func recordUpstreamResponse(atNanos: UInt64) {
        guard let started = attemptStartedAtNanos else { return }
        upstreamLatencyNanos = Self.elapsed(from: started, to: atNanos)
    }

    /// Completes the request with a `result` of `resultType`.
    public mutating func recordSuccess(resultType: ResultType?, atNanos: UInt64) {
        status = .success
        self.resultType = resultType
        error = nil
        endToEndLatencyNanos = Self.elapsed(from: startedAtNanos, to: atNanos)
    }

    /// Completes the request with a JSON-RPC error.
    public mutating func recordError(_ detail: ErrorDetail, atNanos: UInt64) {
        status = .error
        resultType = nil
        error = detail
        endToEndLatencyNanos = Self.elapsed(from: startedAtNanos, to: atNanos)
    }

    /// The `selection_reason` a strategy implies, in the seed's vocabulary.
    public static func reason(for strategy: SelectionStrategy) -> String {
        switch strategy {
        case .fastest: "fastest_method_latency"
        case .cheapest: "cost_optimized"
        case .priority: "static_priority"
        case .roundRobin: "round_robin_rotation"
        }
    }

    private static func elapsed(from start: UInt64, to end: UInt64) -> UInt64 {
        end > start ? end - start : 0
    }

    /// `[]` or `{}` with any whitespace inside or around.
    private static func isEmptyContainer(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var significant: (first: UInt8, second: UInt8, count: Int) = (0, 0, 0)
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default:
                significant.count += 1
                if significant.count > 2 { return false }
                if significant.count == 1 { significant.first = byte } else { significant.second = byte }
            }
        }
        if significant.count == 0 { return true }
        return significant.count == 2
            && ((significant.first == UInt8(ascii: "[") && significant.second == UInt8(ascii: "]"))
                || (significant.first == UInt8(ascii: "{") && significant.second == UInt8(ascii: "}")))
    }
}
