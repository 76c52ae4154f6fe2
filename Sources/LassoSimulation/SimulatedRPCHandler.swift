import Supervision
import Lasso

/// A simulated provider's request/response logic: one request body in, one `SimulatedReply` out,
/// with no sockets and no clock of its own.
///
/// The serving layer (HTTP and WebSocket servers) reads a body, calls `handleHTTP` or
/// `handleWebSocket` with the provider's current behavior and the current instant, and carries
/// out the reply: send it after its delay, close the connection, or never answer.
///
/// JSON-RPC 2.0 as real nodes speak it:
/// - The client's `id` is echoed byte for byte (`1`, `"a"`, `1.0e3`, `null`), using the
///   ranges of `JSONRPCScanner`.
/// - Batches: every element answered in order, notifications skipped; a batch of only
///   notifications gets an empty body; an empty batch is one -32600 error.
/// - Not JSON → -32700 with a `null` id; not a request → -32600 echoing the id when it was valid;
///   unknown method → -32601; bad parameters → -32602 with geth's wording.
/// - Methods: `supportedMethods`; `eth_subscribe` / `eth_unsubscribe` on WebSocket only (HTTP
///   answers -32601 `notifications not supported`, as geth does).
///
/// ```swift
/// let handler = SimulatedRPCHandler(chain: SimulatedChain(chainID: 1, blockIntervalMs: 1_000))
/// let reply = handler.handleHTTP(body: Array(#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId"}"#.utf8),
///                                behavior: .healthy, now: .zero)
/// let text = reply.response?.bodyText   // {"jsonrpc":"2.0","id":7,"result":"0x1"}
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public struct SimulatedRPCHandler: Sendable {
    /// Caps that keep one request's work bounded, at values real providers use.
    public struct Limits: Sendable, Equatable {
        /// `eth_getLogs` results before "query returned more than N results" (-32005).
        public var maxLogResults: Int
        /// Blocks one `eth_getLogs` may cover before "block range too large" (-32005).
        public var maxLogBlockRange: UInt64
        /// Requests in one batch before -32600.
        public var maxBatchSize: Int

        /// Creates limits; the defaults are Infura's result cap, a common block-range cap, and
        /// geth's batch limit.
        public init(maxLogResults: Int = 10_000, maxLogBlockRange: UInt64 = 10_000, maxBatchSize: Int = 1_000) {
            self.maxLogResults = maxLogResults
            self.maxLogBlockRange = maxLogBlockRange
            self.maxBatchSize = maxBatchSize
        }
    }

    /// The chain served.
    public let chain: SimulatedChain
    /// Caps on request work.
    public let limits: Limits

    /// Creates a handler for one provider of `chain`.
    public init(chain: SimulatedChain, limits: Limits = Limits()) {
        self.chain = chain
        self.limits = limits
    }

    /// Every method a simulated provider answers; anything else gets -32601. The subscription
    /// methods answer only over WebSocket.
    public static let supportedMethods: Set<String> = SimulatedEthMethods.methods.union(["eth_subscribe", "eth_unsubscribe"])

    /// The head a provider behaving as `behavior` reports at `now`.
    public func providerHead(at now: RuntimeInstant, behavior: SimulatedProviderBehavior) -> UInt64 {
        let head = chain.head(at: now)
        let lag = behavior.lagBlocks
        return head > lag ? head - lag : 0
    }

    /// An empty subscription table for a new WebSocket connection.
    public func makeSubscriptions(connectionSeed: UInt64) -> SimulatedSubscriptions {
        SimulatedSubscriptions(chain: chain, connectionSeed: connectionSeed)
    }

    /// Answers one HTTP request body.
    public func handleHTTP(body: [UInt8], behavior: SimulatedProviderBehavior, now: RuntimeInstant) -> SimulatedReply {
        var noSubscriptions: SimulatedSubscriptions?
        return handle(body, transport: .http, behavior: behavior, now: now, subscriptions: &noSubscriptions)
    }

    /// Answers one WebSocket text message; `eth_subscribe` and `eth_unsubscribe` update
    /// `subscriptions`, the connection's table. An empty response body means send nothing.
    public func handleWebSocket(message: [UInt8], behavior: SimulatedProviderBehavior, now: RuntimeInstant,
                                subscriptions: inout SimulatedSubscriptions) -> SimulatedReply {
        var table: SimulatedSubscriptions? = subscriptions
        let reply = handle(message, transport: .ws, behavior: behavior, now: now, subscriptions: &table)
        if let table { subscriptions = table }
        return reply
    }

    private static let jsonHeaders = ["Content-Type": "application/json"]

    private func handle(_ body: [UInt8], transport: TransportKind, behavior: SimulatedProviderBehavior,
                        now: RuntimeInstant, subscriptions: inout SimulatedSubscriptions?) -> SimulatedReply {
        switch behavior.decide(transport: transport) {
        case .closeConnection(let graceful):
            return .closeConnection(graceful: graceful)
        case .noReply:
            return .noReply
        case .failHTTP(let status, let text):
            return .respond(SimulatedResponse(status: status, headers: ["Content-Type": "text/plain"],
                                              body: Array(text.utf8), delayMs: 0))
        case .failRPC(let code, let message, let status, let retryAfterSeconds):
            let error = SimulatedRPCError(code: code, message: message)
            var headers = Self.jsonHeaders
            if let retryAfterSeconds { headers["Retry-After"] = String(retryAfterSeconds) }
            let output = answer(body) { _ in .failure(error) }
            return .respond(SimulatedResponse(status: status, headers: headers, body: output, delayMs: 0))
        case .answer(let delayMs):
            let methods = SimulatedEthMethods(chain: chain, limits: limits, head: providerHead(at: now, behavior: behavior))
            let output = answer(body) { request in
                let params: [SimulatedJSONValue]
                switch self.params(of: request, in: body) {
                case .success(let decoded): params = decoded
                case .failure(let error): return .failure(error)
                }
                switch request.method {
                case "eth_subscribe":
                    return subscribe(params, methods.head, now.advanced(byMilliseconds: delayMs), &subscriptions)
                case "eth_unsubscribe":
                    return unsubscribe(params, &subscriptions)
                default:
                    do throws(SimulatedRPCError) {
                        return .success(try methods.call(request.method, params))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return .respond(SimulatedResponse(status: 200, headers: Self.jsonHeaders, body: output, delayMs: delayMs))
        }
    }

    // MARK: - Envelopes and batches

    /// Answers a single request or a batch, calling `run` once per valid request (notifications
    /// included, for their effects) and framing the results.
    private func answer(_ body: [UInt8], _ run: (JSONRPCRequestHead) -> Result<[UInt8], SimulatedRPCError>) -> [UInt8] {
        func respond(to request: JSONRPCRequestHead) -> [UInt8]? {
            let outcome = run(request)
            guard let id = request.id else { return nil }
            return Self.envelope(id: body[id], outcome)
        }
        func invalid(_ verdict: JSONRPCInvalidRequest) -> [UInt8] {
            JSONRPCErrorBody.make(id: verdict.id.map { body[$0] } ?? ArraySlice("null".utf8),
                                  code: JSONRPCErrorBody.invalidRequest, message: verdict.message)
        }
        switch JSONRPCScanner.scanBody(body) {
        case .parseError:
            return JSONRPCErrorBody.make(code: JSONRPCErrorBody.parseError, message: "parse error")
        case .invalid(let verdict):
            return invalid(verdict)
        case .request(let request):
            return respond(to: request) ?? []
        case .batch(let elements):
            guard !elements.isEmpty else {
                return JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest, message: "empty batch")
            }
            guard elements.count <= limits.maxBatchSize else {
                return JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest,
                                             message: "batch too large: at most \(limits.maxBatchSize) requests")
            }
            var output: [UInt8] = [UInt8(ascii: "[")]
            var empty = true
            for element in elements {
                let answer: [UInt8]?
                switch JSONRPCScanner.scanRequest(body, in: element) {
                case .request(let request): answer = respond(to: request)
                case .invalid(let verdict): answer = invalid(verdict)
                case .parseError, .batch:
                    answer = JSONRPCErrorBody.make(code: JSONRPCErrorBody.invalidRequest, message: "Invalid Request")
                }
                guard let answer else { continue }
                if !empty { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: answer)
                empty = false
            }
            guard !empty else { return [] }
            output.append(UInt8(ascii: "]"))
            return output
        }
    }

    /// `{"jsonrpc":"2.0","id":…,"result":…}` or the same with `error`.
    private static func envelope(id: ArraySlice<UInt8>, _ outcome: Result<[UInt8], SimulatedRPCError>) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.string("jsonrpc", "2.0")
        writer.key("id")
        writer.rawValue(id)
        switch outcome {
        case .success(let result):
            writer.key("result")
            writer.rawValue(result)
        case .failure(let error):
            writer.key("error")
            error.write(to: &writer)
        }
        writer.endObject()
        return writer.finish()
    }

    /// The request's positional parameters; by-name parameters are refused, as geth does.
    private func params(of request: JSONRPCRequestHead, in body: [UInt8]) -> Result<[SimulatedJSONValue], SimulatedRPCError> {
        guard let range = request.params else { return .success([]) }
        switch SimulatedJSONValue.decode(body, range: range) {
        case .array(let elements)?: return .success(elements)
        default: return .failure(SimulatedRPCError(code: JSONRPCErrorBody.invalidParams, message: "non-array args"))
        }
    }

    // MARK: - Subscriptions

    private func subscribe(_ params: [SimulatedJSONValue], _ head: UInt64, _ activeFrom: RuntimeInstant,
                           _ subscriptions: inout SimulatedSubscriptions?) -> Result<[UInt8], SimulatedRPCError> {
        guard subscriptions != nil else { return .failure(Self.notificationsUnsupported) }
        guard let name = params.first?.stringValue else {
            return .failure(params.isEmpty ? .missingArgument(0) : .invalidArgument(0, "subscription name must be a string"))
        }
        let kind: SimulatedSubscriptions.Kind
        switch name {
        case "newHeads":
            kind = .newHeads
        case "logs":
            switch params.count > 1 ? params[1] : .null {
            case .null:
                kind = .logs(SimulatedLogFilter())
            case .object(let object):
                do throws(SimulatedRPCError) {
                    kind = .logs(try SimulatedLogFilter.parse(object, argumentIndex: 1))
                } catch {
                    return .failure(error)
                }
            default:
                return .failure(.invalidArgument(1, "filter object expected"))
            }
        default:
            return .failure(SimulatedRPCError(code: JSONRPCErrorBody.methodNotFound,
                                              message: "no \"\(name.prefix(64))\" subscription in eth namespace"))
        }
        guard let id = subscriptions?.subscribe(kind, head: head, activeFrom: activeFrom, fork: chain.fork) else {
            return .failure(SimulatedRPCError(code: JSONRPCErrorBody.serverError, message: "too many subscriptions on this connection"))
        }
        var writer = JSONWriter()
        writer.stringValue(id)
        return .success(writer.finish())
    }

    private func unsubscribe(_ params: [SimulatedJSONValue],
                             _ subscriptions: inout SimulatedSubscriptions?) -> Result<[UInt8], SimulatedRPCError> {
        guard subscriptions != nil else { return .failure(Self.notificationsUnsupported) }
        guard let id = params.first?.stringValue else {
            return .failure(params.isEmpty ? .missingArgument(0) : .invalidArgument(0, "subscription id must be a string"))
        }
        let removed = subscriptions?.unsubscribe(id) ?? false
        return .success(Array((removed ? "true" : "false").utf8))
    }

    /// geth's answer to `eth_subscribe` over HTTP.
    private static let notificationsUnsupported = SimulatedRPCError(code: JSONRPCErrorBody.methodNotFound,
                                                                    message: "notifications not supported")
}
