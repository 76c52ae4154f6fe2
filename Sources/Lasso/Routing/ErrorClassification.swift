/// The verdict on one upstream attempt, and the policy that reaches it.
///
/// `RequestPipeline` asks three questions of every attempt — return or fail over? does it
/// count against the breaker? which label for metrics? — and `classify(_:)` answers them from
/// the transport outcome, the HTTP status and the JSON-RPC error, in this order:
///
/// 1. A transport failure is a provider fault of that kind.
/// 2. HTTP 429 is a rate limit, whatever the body says.
/// 3. A JSON-RPC error is read by evidence strength: revert data and code 3; the unambiguous
///    codes -32700 and -32600; then the message, because providers reuse codes loosely (a
///    -32000 can be a revert, a rate limit or a missing block) while messages come from a
///    small set of node implementations; then the code.
/// 4. An unrecognised JSON-RPC error inside an HTTP 5xx or 401/403 is that status's fault;
///    otherwise it is returned to the client as `.callerFault(.unclassified)`.
/// 5. Without a JSON-RPC error: 2xx (or WebSocket) is success, 5xx a server fault, 401/403
///    unauthorized, 408 a timeout, anything else an invalid response.
///
/// Example: `-32000 "header not found"` → `.providerFault(.blockUnavailable)`: fail over to a
/// provider that has the block, without counting against this one's breaker.
public enum ErrorClassification: Equatable, Sendable {
    /// The provider answered (a result, or nothing to classify).
    case success
    /// Return the provider's response to the client as sent; no failover, no breaker count.
    case callerFault(CallerFaultCategory)
    /// Fail over to the next candidate; counts against the breaker if the category says so.
    case providerFault(ProviderFaultCategory)
    /// Fail over, and put this channel in a rate-limit cooldown (`retryAfter` if known).
    case rateLimited(retryAfter: Duration?)

    /// Messages are matched on at most this many leading bytes: enough for every known pattern,
    /// and it bounds the work a provider can make us do with a huge message.
    public static let maxMessageBytes = 512

    /// Whether the pipeline should try the next candidate.
    public var failsOver: Bool {
        switch self {
        case .success, .callerFault: false
        case .providerFault, .rateLimited: true
        }
    }

    /// Whether the breaker counts this as a fault towards opening (or reopening).
    public var countsAgainstBreaker: Bool {
        if case .providerFault(let category) = self { return category.countsAgainstBreaker }
        return false
    }

    /// What to feed the channel's `CircuitBreakerMachine`.
    public var breakerOutcome: CircuitBreakerMachine.Outcome {
        switch self {
        case .success: .success
        case .callerFault: .neutral
        case .providerFault(let category): category.countsAgainstBreaker ? .providerFault : .neutral
        case .rateLimited(let retryAfter): .rateLimited(retryAfter: retryAfter)
        }
    }

    /// What to record in `BenchmarkStore`: `true` success, `false` failure, `nil` not at all.
    /// Only outcomes that say something about the provider's health move its success rate;
    /// a client's reverted call says nothing about the provider that ran it.
    public var benchmarkSuccess: Bool? {
        switch self {
        case .success: true
        case .providerFault(let category): category.countsAgainstBreaker ? false : nil
        case .callerFault, .rateLimited: nil
        }
    }

    /// A short label for metrics and logs: `ok`, `rate_limited`, `caller.<category>` or
    /// `provider.<category>`.
    public var label: String {
        switch self {
        case .success: "ok"
        case .rateLimited: "rate_limited"
        case .callerFault(let category): "caller." + category.rawValue
        case .providerFault(let category): "provider." + category.rawValue
        }
    }

    /// Classifies one attempt. Pure; runs only when an attempt did not plainly succeed, but is
    /// cheap either way.
    public static func classify(_ outcome: UpstreamAttemptOutcome) -> ErrorClassification {
        switch outcome {
        case .transportFailure(let failure):
            return .providerFault(providerCategory(for: failure))
        case .response(let status, let rpcError, let retryAfter):
            if status == 429 { return .rateLimited(retryAfter: retryAfter) }
            if let rpcError {
                if let verdict = classify(rpcError, retryAfter: retryAfter) { return verdict }
                if let status, let fault = statusFault(status) { return .providerFault(fault) }
                return .callerFault(.unclassified)
            }
            guard let status, !(200...299).contains(status) else { return .success }
            return .providerFault(statusFault(status) ?? .invalidResponse)
        }
    }

    /// Parses a `Retry-After` header in its delta-seconds form. The HTTP-date form would need a
    /// wall clock, which this pure core does not read; such headers yield `nil` and the default
    /// cooldown applies.
    public static func retryAfter(headerValue: some StringProtocol) -> Duration? {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let bytes = headerValue.utf8.drop(while: isBlank).reversed().drop(while: isBlank)
        guard !bytes.isEmpty else { return nil }
        var seconds: Int64 = 0
        for byte in bytes.reversed() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (product, overflowA) = seconds.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = product.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if overflowA || overflowB { return .seconds(Int64.max) }
            seconds = sum
        }
        return .seconds(seconds)
    }

    private static func providerCategory(for failure: UpstreamAttemptOutcome.TransportFailure) -> ProviderFaultCategory {
        switch failure {
        case .connectionRefused: .connectionRefused
        case .connectFailed: .connectFailed
        case .dnsFailure: .dns
        case .tlsFailure: .tls
        case .timeout: .timeout
        case .connectionClosed: .connectionClosed
        case .truncated: .truncated
        case .invalidResponse: .invalidResponse
        case .abandoned: .abandoned
        case .responseTooLarge: .responseTooLarge
        }
    }

    /// The provider fault an HTTP status implies on its own, or `nil` for a status that says
    /// nothing (2xx, and 4xx codes a provider uses to carry a JSON-RPC error).
    private static func statusFault(_ status: Int) -> ProviderFaultCategory? {
        switch status {
        case 500...599: .httpServerError
        case 401, 403: .unauthorized
        case 408: .timeout
        case 200...299, 400, 404, 405, 413, 422: nil
        default: .invalidResponse
        }
    }

    /// Classifies a JSON-RPC error object; `nil` when neither its data, message nor code is
    /// recognised.
    static func classify(_ error: UpstreamRPCError, retryAfter: Duration?) -> ErrorClassification? {
        if let data = error.data, hasRevertSelector(data) { return .callerFault(.executionReverted) }
        switch error.code {
        case 3: return .callerFault(.executionReverted)
        case -32700: return .callerFault(.parseError)
        case -32600: return .callerFault(.invalidRequest)
        default: break
        }
        let message = lowercasedPrefix(error.message)
        if let verdict = classify(message: message, retryAfter: retryAfter) { return verdict }
        return classify(code: error.code, message: message, retryAfter: retryAfter)
    }

    /// Solidity's `Error(string)` and `Panic(uint256)` selectors: the node ran the call and the
    /// contract reverted, whatever code or message came with it.
    private static func hasRevertSelector(_ data: String) -> Bool {
        let prefix = data.utf8.prefix(10)
        guard prefix.count == 10 else { return false }
        let lowered = String(decoding: prefix, as: UTF8.self).lowercased()
        return lowered == "0x08c379a0" || lowered == "0x4e487b71"
    }

    private static func lowercasedPrefix(_ message: String) -> String {
        String(decoding: message.utf8.prefix(maxMessageBytes), as: UTF8.self).lowercased()
    }

    /// Message patterns, most request-specific first: a revert that mentions "try again" is
    /// still a revert, and a rate-limit message that mentions a method is still a rate limit.
    private static func classify(message: String, retryAfter: Duration?) -> ErrorClassification? {
        if message.isEmpty { return nil }
        if containsAny(message, MessagePatterns.transactionRejected) { return .callerFault(.transactionRejected) }
        if containsAny(message, MessagePatterns.executionReverted) { return .callerFault(.executionReverted) }
        if containsAny(message, MessagePatterns.invalidParams) { return .callerFault(.invalidParams) }
        if containsAny(message, MessagePatterns.rateLimited) { return .rateLimited(retryAfter: retryAfter) }
        if containsAny(message, MessagePatterns.unauthorized) { return .providerFault(.unauthorized) }
        if containsAny(message, MessagePatterns.capability) { return .providerFault(.capability) }
        if containsAny(message, MessagePatterns.blockUnavailable)
            || (message.contains("unknown block") && !message.contains("unknown blockchain")) {
            return .providerFault(.blockUnavailable)
        }
        if containsAny(message, MessagePatterns.unsynced) { return .providerFault(.unsynced) }
        if containsAny(message, MessagePatterns.methodUnsupported) { return .providerFault(.methodUnsupported) }
        if containsAny(message, MessagePatterns.timeout) { return .providerFault(.timeout) }
        if containsAny(message, MessagePatterns.transient) { return .providerFault(.serverError) }
        return nil
    }

    /// Code meanings from JSON-RPC 2.0, EIP-1474 and EIP-1193, used when the message said
    /// nothing recognisable.
    private static func classify(code: Int, message: String, retryAfter: Duration?) -> ErrorClassification? {
        switch code {
        case -32602: .callerFault(.invalidParams)
        case -32603: .providerFault(.internalError)
        case -32601, -32004, 4200: .providerFault(.methodUnsupported)
        case -32005:
            // EIP-1474's "limit exceeded" is a rate limit when the wording says so; otherwise a
            // limit on this request that another provider may not have.
            message.contains("limit") || message.contains("rate")
                ? .rateLimited(retryAfter: retryAfter) : .providerFault(.limitExceeded)
        case -32001: .providerFault(.blockUnavailable)
        case -32002, 4900, 4901: .providerFault(.serverError)
        case -32003: .callerFault(.transactionRejected)
        case -32006: .providerFault(.capability)
        case 4100: .providerFault(.unauthorized)
        default: nil
        }
    }

    private static func containsAny(_ message: String, _ patterns: [String]) -> Bool {
        patterns.contains { message.contains($0) }
    }

    /// Lower-case substrings seen in the wild from geth, erigon, nethermind, besu, reth and the
    /// large hosted providers.
    private enum MessagePatterns {
        static let transactionRejected = [
            "insufficient funds", "nonce too low", "nonce too high", "invalid nonce",
            "already known", "replacement transaction underpriced", "transaction underpriced",
            "intrinsic gas too low", "exceeds block gas limit", "fee cap less than block base fee",
            "max fee per gas less than block base fee", "tip higher than fee cap",
            "max priority fee per gas higher than max fee per gas", "invalid sender",
            "transaction type not supported", "gas limit reached",
        ]
        static let executionReverted = [
            "execution reverted", "revert", "vm exception", "invalid opcode", "out of gas",
            "gas required exceeds allowance", "stack underflow", "stack overflow",
            "invalid jump destination", "evm error",
        ]
        static let invalidParams = [
            "invalid argument", "cannot unmarshal", "unable to decode", "invalid hex",
            "hex string without 0x prefix", "odd length", "invalid address",
            "wrong number of arguments", "missing value for required argument",
        ]
        static let rateLimited = [
            "rate limit", "rate-limit", "ratelimit", "too many requests", "throttled",
            "quota exceeded", "exceeded quota", "exceeded your quota", "requests per second",
            "compute units", "capacity exceeded", "request limit reached", "request rate exceeded",
        ]
        static let unauthorized = [
            "unauthorized", "invalid api key", "api key", "forbidden", "access denied",
            "permission denied", "authentication",
        ]
        static let capability = [
            "missing trie node", "pruned", "archive", "block range", "range too large",
            "range is too large", "query returned more than", "too many results",
            "result set too large", "response size exceeded", "too many addresses",
        ]
        static let blockUnavailable = [
            "header not found", "block not found", "block is out of range",
            "requested block number is greater than",
        ]
        static let unsynced = ["node is syncing", "not synced", "still syncing", "node is behind"]
        static let methodUnsupported = [
            "method not found", "method not supported", "method not available",
            "unsupported method", "does not exist/is not available", "is not supported",
            "not supported", "method is disabled", "not whitelisted",
        ]
        static let timeout = ["timeout", "timed out", "deadline exceeded"]
        static let transient = [
            "please retry", "try again", "temporarily unavailable", "service unavailable",
            "internal server error", "bad gateway", "overloaded",
        ]
    }
}
