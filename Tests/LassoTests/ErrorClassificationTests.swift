import Supervision
import Testing
@testable import Lasso

private func rpc(_ code: Int, _ message: String, data: String? = nil, status: Int? = 200, retryAfter: Duration? = nil) -> UpstreamAttemptOutcome {
    .response(httpStatus: status, rpcError: UpstreamRPCError(code: code, message: message, data: data), retryAfter: retryAfter)
}

private func http(_ status: Int?, retryAfter: Duration? = nil) -> UpstreamAttemptOutcome {
    .response(httpStatus: status, rpcError: nil, retryAfter: retryAfter)
}

/// One row of the classification table: what came back, and the verdict it must get.
struct ClassificationCase: CustomTestStringConvertible, Sendable {
    let outcome: UpstreamAttemptOutcome
    let expected: ErrorClassification
    let name: String

    init(_ name: String, _ outcome: UpstreamAttemptOutcome, _ expected: ErrorClassification) {
        self.name = name
        self.outcome = outcome
        self.expected = expected
    }

    var testDescription: String { name }
}

private let table: [ClassificationCase] = [
    // Success
    .init("HTTP 200 without error", http(200), .success),
    .init("WebSocket response without error", http(nil), .success),
    .init("HTTP 204", http(204), .success),

    // Transport failures
    .init("connection refused", .transportFailure(.connectionRefused), .providerFault(.connectionRefused)),
    .init("connect failed", .transportFailure(.connectFailed), .providerFault(.connectFailed)),
    .init("DNS failure", .transportFailure(.dnsFailure), .providerFault(.dns)),
    .init("TLS failure", .transportFailure(.tlsFailure), .providerFault(.tls)),
    .init("timeout", .transportFailure(.timeout), .providerFault(.timeout)),
    .init("closed mid-response", .transportFailure(.connectionClosed), .providerFault(.connectionClosed)),
    .init("truncated body", .transportFailure(.truncated), .providerFault(.truncated)),
    .init("not JSON-RPC", .transportFailure(.invalidResponse), .providerFault(.invalidResponse)),
    .init("abandoned by lassod's own restart", .transportFailure(.abandoned), .providerFault(.abandoned)),
    .init("a reply over lassod's size cap", .transportFailure(.responseTooLarge), .providerFault(.responseTooLarge)),

    // HTTP statuses without a JSON-RPC error
    .init("HTTP 500", http(500), .providerFault(.httpServerError)),
    .init("HTTP 502", http(502), .providerFault(.httpServerError)),
    .init("HTTP 503", http(503), .providerFault(.httpServerError)),
    .init("HTTP 401", http(401), .providerFault(.unauthorized)),
    .init("HTTP 403", http(403), .providerFault(.unauthorized)),
    .init("HTTP 408", http(408), .providerFault(.timeout)),
    .init("HTTP 404", http(404), .providerFault(.invalidResponse)),
    .init("HTTP 301", http(301), .providerFault(.invalidResponse)),

    // Rate limits
    .init("HTTP 429 with Retry-After", http(429, retryAfter: .milliseconds(3_000)), .rateLimited(retryAfter: .milliseconds(3_000))),
    .init("HTTP 429 without Retry-After", http(429), .rateLimited(retryAfter: nil)),
    .init("HTTP 429 wins over a revert body", rpc(3, "execution reverted", status: 429), .rateLimited(retryAfter: nil)),
    .init("-32005 rate limited", rpc(-32005, "rate limited, please slow down"), .rateLimited(retryAfter: nil)),
    .init("-32005 limit exceeded", rpc(-32005, "limit exceeded"), .rateLimited(retryAfter: nil)),
    .init("-32005 other wording", rpc(-32005, "request exceeds defined bound"), .providerFault(.limitExceeded)),
    .init("-32005 empty message", rpc(-32005, ""), .providerFault(.limitExceeded)),
    .init("too many requests under -32000", rpc(-32000, "Too Many Requests"), .rateLimited(retryAfter: nil)),
    .init("rate limit under -32603", rpc(-32603, "Your app has exceeded its compute units per second capacity"), .rateLimited(retryAfter: nil)),
    .init("Retry-After carried with a rate-limit message", rpc(-32000, "rate limit exceeded", retryAfter: .milliseconds(2_000)), .rateLimited(retryAfter: .milliseconds(2_000))),
    .init("request rate exceeded over WebSocket", .response(httpStatus: nil, rpcError: UpstreamRPCError(code: -32000, message: "project ID request rate exceeded"), retryAfter: nil), .rateLimited(retryAfter: nil)),
    .init("daily quota", rpc(-32001, "daily request quota exceeded"), .rateLimited(retryAfter: nil)),

    // Caller faults: reverts
    .init("code 3 revert", rpc(3, "execution reverted: Ownable: caller is not the owner"), .callerFault(.executionReverted)),
    .init("-32000 execution reverted", rpc(-32000, "execution reverted"), .callerFault(.executionReverted)),
    .init("revert data with an odd code", rpc(-32603, "internal", data: "0x08c379a00000000000000000"), .callerFault(.executionReverted)),
    .init("panic data", rpc(-32000, "whatever", data: "0x4E487B710000000000000000"), .callerFault(.executionReverted)),
    .init("VM exception (ganache/hardhat)", rpc(-32000, "VM Exception while processing transaction: revert"), .callerFault(.executionReverted)),
    .init("out of gas", rpc(-32000, "out of gas"), .callerFault(.executionReverted)),
    .init("invalid opcode", rpc(-32015, "invalid opcode: INVALID"), .callerFault(.executionReverted)),
    .init("gas required exceeds allowance", rpc(-32000, "gas required exceeds allowance (30000000)"), .callerFault(.executionReverted)),
    .init("revert in a 500 body", rpc(-32000, "execution reverted", status: 500), .callerFault(.executionReverted)),
    .init("revert beats retry wording", rpc(-32000, "execution reverted, do not try again"), .callerFault(.executionReverted)),

    // Caller faults: transaction rules
    .init("insufficient funds", rpc(-32000, "insufficient funds for gas * price + value"), .callerFault(.transactionRejected)),
    .init("nonce too low", rpc(-32000, "nonce too low"), .callerFault(.transactionRejected)),
    .init("nonce too high", rpc(-32000, "nonce too high"), .callerFault(.transactionRejected)),
    .init("underpriced replacement", rpc(-32000, "replacement transaction underpriced"), .callerFault(.transactionRejected)),
    .init("already known", rpc(-32000, "already known"), .callerFault(.transactionRejected)),
    .init("fee cap below base fee", rpc(-32000, "max fee per gas less than block base fee"), .callerFault(.transactionRejected)),
    .init("intrinsic gas", rpc(-32000, "intrinsic gas too low"), .callerFault(.transactionRejected)),
    .init("-32003 transaction rejected", rpc(-32003, "transaction rejected"), .callerFault(.transactionRejected)),

    // Caller faults: request shape
    .init("-32602 invalid params", rpc(-32602, "invalid params"), .callerFault(.invalidParams)),
    .init("-32602 with no message", rpc(-32602, ""), .callerFault(.invalidParams)),
    .init("invalid argument under -32000", rpc(-32000, "invalid argument 0: hex string without 0x prefix"), .callerFault(.invalidParams)),
    .init("cannot unmarshal", rpc(-32000, "json: cannot unmarshal hex string of odd length into Go value"), .callerFault(.invalidParams)),
    .init("-32600 invalid request", rpc(-32600, "invalid request"), .callerFault(.invalidRequest)),
    .init("-32600 is definitive even with rate wording", rpc(-32600, "rate limit"), .callerFault(.invalidRequest)),
    .init("-32700 parse error", rpc(-32700, "parse error"), .callerFault(.parseError)),
    .init("unknown -32000 message", rpc(-32000, "something odd happened"), .callerFault(.unclassified)),
    .init("unknown code and message", rpc(12345, "strange"), .callerFault(.unclassified)),

    // Provider faults carried in JSON-RPC errors
    .init("-32603 internal error", rpc(-32603, "internal error"), .providerFault(.internalError)),
    .init("unknown error in a 502", rpc(-32000, "something odd happened", status: 502), .providerFault(.httpServerError)),
    .init("unknown error in a 401", rpc(-32000, "no", status: 401), .providerFault(.unauthorized)),
    .init("api key message", rpc(-32000, "invalid API key"), .providerFault(.unauthorized)),
    .init("-32601 method not found", rpc(-32601, "the method eth_foo does not exist/is not available"), .providerFault(.methodUnsupported)),
    .init("-32601 without message", rpc(-32601, ""), .providerFault(.methodUnsupported)),
    .init("method not supported under -32000", rpc(-32000, "method trace_block is not supported"), .providerFault(.methodUnsupported)),
    .init("-32004 unsupported", rpc(-32004, "method not supported"), .providerFault(.methodUnsupported)),
    .init("header not found", rpc(-32000, "header not found"), .providerFault(.blockUnavailable)),
    .init("unknown block", rpc(-32000, "unknown block"), .providerFault(.blockUnavailable)),
    .init("unknown blockchain is not a block", rpc(-32000, "unknown blockchain"), .callerFault(.unclassified)),
    .init("-32001 resource not found", rpc(-32001, "resource not found"), .providerFault(.blockUnavailable)),
    .init("missing trie node", rpc(-32000, "missing trie node 1b2c… (path )"), .providerFault(.capability)),
    .init("block range too large", rpc(-32000, "block range is too large"), .providerFault(.capability)),
    .init("-32005 result size is capability, not rate", rpc(-32005, "query returned more than 10000 results"), .providerFault(.capability)),
    .init("archive required", rpc(-32000, "this request requires an archive node"), .providerFault(.capability)),
    .init("node syncing", rpc(-32000, "node is syncing"), .providerFault(.unsynced)),
    .init("timeout message", rpc(-32000, "request timed out"), .providerFault(.timeout)),
    .init("try again", rpc(-32000, "temporary internal error, please retry"), .providerFault(.serverError)),
    .init("-32002 resource unavailable", rpc(-32002, "resource unavailable"), .providerFault(.serverError)),
    .init("EIP-1193 4100", rpc(4100, "no"), .providerFault(.unauthorized)),
    .init("EIP-1193 4900", rpc(4900, "disconnected"), .providerFault(.serverError)),
]

@Suite("ErrorClassification")
struct ErrorClassificationTests {
    @Test("classification table", arguments: table)
    func classifies(_ row: ClassificationCase) {
        #expect(ErrorClassification.classify(row.outcome) == row.expected)
    }

    @Test("caller faults return at once and never count")
    func callerFaultPolicy() {
        for category in CallerFaultCategory.allCases {
            let verdict = ErrorClassification.callerFault(category)
            #expect(!verdict.failsOver)
            #expect(!verdict.countsAgainstBreaker)
            #expect(verdict.breakerOutcome == .neutral)
            #expect(verdict.benchmarkSuccess == nil)
        }
    }

    @Test("every provider fault fails over; only health faults count against the breaker")
    func providerFaultPolicy() {
        let neutral: Set<ProviderFaultCategory> = [.limitExceeded, .blockUnavailable, .methodUnsupported, .capability,
                                                   .abandoned, .responseTooLarge]
        for category in ProviderFaultCategory.allCases {
            let verdict = ErrorClassification.providerFault(category)
            #expect(verdict.failsOver)
            #expect(verdict.countsAgainstBreaker == !neutral.contains(category))
            #expect(verdict.breakerOutcome == (neutral.contains(category) ? .neutral : .providerFault))
            #expect(verdict.benchmarkSuccess == (neutral.contains(category) ? nil : false))
        }
    }

    @Test("rate limits fail over, do not count, and carry Retry-After to the breaker")
    func rateLimitPolicy() {
        let verdict = ErrorClassification.rateLimited(retryAfter: .milliseconds(4_000))
        #expect(verdict.failsOver)
        #expect(!verdict.countsAgainstBreaker)
        #expect(verdict.breakerOutcome == .rateLimited(retryAfter: .milliseconds(4_000)))
        #expect(verdict.benchmarkSuccess == nil)
    }

    @Test("success does not fail over and is a benchmark success")
    func successPolicy() {
        #expect(!ErrorClassification.success.failsOver)
        #expect(ErrorClassification.success.breakerOutcome == .success)
        #expect(ErrorClassification.success.benchmarkSuccess == true)
    }

    @Test("labels are short and prefixed by class")
    func labels() {
        #expect(ErrorClassification.success.label == "ok")
        #expect(ErrorClassification.rateLimited(retryAfter: nil).label == "rate_limited")
        #expect(ErrorClassification.callerFault(.executionReverted).label == "caller.execution_reverted")
        #expect(ErrorClassification.providerFault(.httpServerError).label == "provider.http_5xx")
    }

    @Test("only the first maxMessageBytes of a message are read")
    func boundedMessage() {
        let padding = String(repeating: "x", count: ErrorClassification.maxMessageBytes)
        #expect(ErrorClassification.classify(rpc(-32000, padding + "execution reverted")) == .callerFault(.unclassified))
        #expect(ErrorClassification.classify(rpc(-32000, "execution reverted" + padding)) == .callerFault(.executionReverted))
    }

    @Test("Retry-After delta-seconds parse to a Duration; other forms are rejected",
          arguments: [("5", Duration.seconds(5)), (" 12 ", .seconds(12)), ("0", .zero), ("120\t", .seconds(120))] as [(String, Duration)])
    func retryAfterParses(_ header: String, _ expected: Duration) {
        #expect(ErrorClassification.retryAfter(headerValue: header) == expected)
    }

    @Test("Retry-After in HTTP-date or garbage form yields nil",
          arguments: ["Wed, 21 Oct 2015 07:28:00 GMT", "", "  ", "-1", "1.5", "5 s"])
    func retryAfterRejects(_ header: String) {
        #expect(ErrorClassification.retryAfter(headerValue: header) == nil)
    }

    @Test("a huge Retry-After saturates instead of trapping")
    func retryAfterSaturates() {
        let value = ErrorClassification.retryAfter(headerValue: "99999999999999999999999")
        #expect(value != nil)
        #expect((value ?? .zero) >= .seconds(1_000_000_000))
    }
}

@Suite("ErrorClassification feeding the breaker")
struct ErrorClassificationBreakerTests {
    private func feed(_ outcome: UpstreamAttemptOutcome, times: Int) -> CircuitBreakerMachine {
        var breaker = CircuitBreakerMachine()
        for n in 0..<times {
            let verdict = ErrorClassification.classify(outcome)
            _ = breaker.record(verdict.breakerOutcome, ticket: .regular, now: RuntimeInstant(milliseconds: UInt64(n)))
        }
        return breaker
    }

    @Test("five HTTP 503s open the breaker")
    func serverErrorsOpen() {
        #expect(feed(.response(httpStatus: 503, rpcError: nil, retryAfter: nil), times: 5).state.phase == .open)
    }

    @Test("five timeouts open the breaker")
    func timeoutsOpen() {
        #expect(feed(.transportFailure(.timeout), times: 5).state.phase == .open)
    }

    @Test("any number of replies too large for lassod never opens it: one client's big requests are not a provider fault")
    func oversizedRepliesNeverOpen() {
        #expect(feed(.transportFailure(.responseTooLarge), times: 50).state == .closed(consecutiveFailures: 0))
    }

    @Test("any number of reverts, missing blocks or unsupported methods never open it",
          arguments: [
            UpstreamRPCError(code: 3, message: "execution reverted"),
            UpstreamRPCError(code: -32000, message: "header not found"),
            UpstreamRPCError(code: -32601, message: "method not found"),
            UpstreamRPCError(code: -32602, message: "invalid params"),
          ])
    func neutralNeverOpens(_ error: UpstreamRPCError) {
        let breaker = feed(.response(httpStatus: 200, rpcError: error, retryAfter: nil), times: 50)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test("a 429 cools the channel down for its Retry-After without opening")
    func rateLimitCoolsDown() {
        let breaker = feed(.response(httpStatus: 429, rpcError: nil, retryAfter: .milliseconds(2_000)), times: 1)
        #expect(breaker.state.phase == .closed)
        #expect(breaker.cooldownUntil == RuntimeInstant(milliseconds: 2_000))
    }
}
