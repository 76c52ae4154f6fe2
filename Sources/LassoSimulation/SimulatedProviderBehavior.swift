import Lasso

/// How a simulated provider treats its clients right now; switchable at run time (see
/// `SimulatedProvider.behavior`), which is how tests and the battle framework inject faults.
///
/// Each behavior reproduces one way real providers fail, and `decide(transport:)` turns it into
/// what the serving layer does with a request:
///
/// | behavior | HTTP | WebSocket | subscription events |
/// |---|---|---|---|
/// | `healthy` | answer | answer | pushed |
/// | `down` | refuse connections; close open ones unanswered | close frame 1001 | none |
/// | `slow(latencyMs:)` | answer after the latency | same | pushed |
/// | `slowHTTP(latencyMs:)` | answer after the latency | answer at once | pushed |
/// | `erroring(.httpServerError)` | HTTP 500, plain-text body | -32603 per request | pushed |
/// | `erroring(.internalError)` | HTTP 200, -32603 per request | same | pushed |
/// | `rateLimited(retryAfterSeconds:)` | HTTP 429 + `Retry-After`, -32005 per request | -32005 per request | pushed |
/// | `hanging` | accept, never answer | never answer | none (lost) |
/// | `stalledSubscription` | answer | answer | none (lost) |
/// | `lagging(blocks:)` | answer from a head N blocks back | same | pushed N blocks late |
/// | `killed` | 503 and close for new requests; open connections dropped abruptly, in-flight replies too | abort without close frame | none |
///
/// Events "lost" while stalled or hanging are not replayed when the provider recovers: a real
/// node's feed does not buffer for a subscriber it stopped serving, and that gap is exactly
/// what a proxy's gap filler must repair.
public enum SimulatedProviderBehavior: Sendable, Hashable, CustomStringConvertible {
    /// How an erroring provider fails.
    public enum ErrorStyle: String, Sendable, Hashable {
        /// HTTP 500 with a non-JSON body, as a crashed backend behind a load balancer answers.
        case httpServerError = "http"
        /// HTTP 200 with JSON-RPC -32603 for every request, as a node with a broken backend answers.
        case internalError = "rpc"
    }

    /// Answers everything correctly and at once.
    case healthy
    /// Refuses connections, like a node whose port is closed.
    case down
    /// Answers correctly after `latencyMs`.
    case slow(latencyMs: UInt64)
    /// Answers HTTP after `latencyMs` and WebSocket at once, as a provider whose HTTP gateway is
    /// overloaded while its WebSocket feed runs: what holds a backfill open while subscriptions
    /// keep flowing.
    case slowHTTP(latencyMs: UInt64)
    /// Fails every request.
    case erroring(ErrorStyle)
    /// Rejects every request as rate-limited, asking the client to come back later.
    case rateLimited(retryAfterSeconds: UInt64)
    /// Accepts requests and never answers them.
    case hanging
    /// Answers requests, but stops pushing subscription events.
    case stalledSubscription
    /// Serves a head `blocks` behind the chain's, as an unsynced node does.
    case lagging(blocks: UInt64)
    /// The process is gone: like `down`, but open connections drop without a goodbye.
    case killed

    /// What to do with the next request arriving over `transport`.
    public func decide(transport: TransportKind) -> SimulatedProviderAction {
        switch self {
        case .healthy, .stalledSubscription, .lagging:
            .answer(delayMs: 0)
        case .slow(let latencyMs):
            .answer(delayMs: latencyMs)
        case .slowHTTP(let latencyMs):
            .answer(delayMs: transport == .http ? latencyMs : 0)
        case .down:
            .closeConnection(graceful: true)
        case .killed:
            .closeConnection(graceful: false)
        case .hanging:
            .noReply
        case .erroring(.httpServerError) where transport == .http:
            .failHTTP(status: 500, body: "Internal Server Error")
        case .erroring:
            .failRPC(code: JSONRPCErrorBody.internalError, message: "internal error", status: 200, retryAfterSeconds: nil)
        case .rateLimited(let retryAfterSeconds):
            .failRPC(code: -32005, message: "rate limit exceeded, retry in \(retryAfterSeconds) s",
                     status: transport == .http ? 429 : 200,
                     retryAfterSeconds: transport == .http ? retryAfterSeconds : nil)
        }
    }

    /// Whether new connections (TCP, WebSocket upgrades) are accepted.
    public var acceptsConnections: Bool {
        switch self {
        case .down, .killed: false
        default: true
        }
    }

    /// Whether open connections must be closed when the provider switches to this behavior:
    /// gracefully for `down` (a WebSocket close frame, 1001 going away), abruptly for `killed`
    /// (no close frame; replies still waiting out a latency are dropped too) — the same
    /// `graceful` flag `decide(transport:)` returns in `.closeConnection`.
    public var closesOpenConnections: Bool {
        !acceptsConnections
    }

    /// Whether subscription events are pushed; when false they are lost, not deferred.
    public var pushesSubscriptionEvents: Bool {
        switch self {
        case .stalledSubscription, .hanging, .down, .killed: false
        default: true
        }
    }

    /// How many blocks behind the chain's head this provider's head is.
    public var lagBlocks: UInt64 {
        if case .lagging(let blocks) = self { return blocks }
        return 0
    }

    /// The text form `init(parsing:)` reads: `healthy`, `down`, `slow:250`, `slow_http:800`, `erroring:http`,
    /// `erroring:rpc`, `rate_limited:5`, `hanging`, `stalled_subscription`, `lagging:3`, `killed`.
    public var description: String {
        switch self {
        case .healthy: "healthy"
        case .down: "down"
        case .slow(let latencyMs): "slow:\(latencyMs)"
        case .slowHTTP(let latencyMs): "slow_http:\(latencyMs)"
        case .erroring(let style): "erroring:\(style.rawValue)"
        case .rateLimited(let seconds): "rate_limited:\(seconds)"
        case .hanging: "hanging"
        case .stalledSubscription: "stalled_subscription"
        case .lagging(let blocks): "lagging:\(blocks)"
        case .killed: "killed"
        }
    }

    /// Parses the text form (see `description`), for `lassod ctl` and test scenarios. The
    /// argument may be omitted: `slow` and `slow_http` are 1000 ms, `erroring` is `http`, `rate_limited` is 1 s
    /// and `lagging` is 5 blocks. Dashes and underscores are interchangeable. Nil for anything
    /// else.
    public init?(parsing text: String) {
        let parts = String(text.lowercased().map { $0 == "-" ? "_" : $0 }).split(separator: ":", maxSplits: 1)
        guard let name = parts.first else { return nil }
        let argument = parts.count > 1 ? String(parts[1]) : nil
        let number = argument.flatMap { UInt64($0) }
        if argument != nil, number == nil, name != "erroring" { return nil }
        switch name {
        case "healthy" where argument == nil: self = .healthy
        case "down" where argument == nil: self = .down
        case "slow": self = .slow(latencyMs: number ?? 1_000)
        case "slow_http": self = .slowHTTP(latencyMs: number ?? 1_000)
        case "erroring":
            guard let style = ErrorStyle(rawValue: argument ?? "http") else { return nil }
            self = .erroring(style)
        case "rate_limited": self = .rateLimited(retryAfterSeconds: number ?? 1)
        case "hanging" where argument == nil: self = .hanging
        case "stalled_subscription" where argument == nil: self = .stalledSubscription
        case "lagging": self = .lagging(blocks: number ?? 5)
        case "killed" where argument == nil: self = .killed
        default: return nil
        }
    }
}
