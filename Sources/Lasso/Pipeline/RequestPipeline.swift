import Supervision

/// Routes one JSON-RPC request: select candidates, try them in order, fail over on provider
/// faults, return caller faults at once, and record every attempt.
///
/// The flow, for `eth_blockNumber` on a chain with providers A and B:
/// 1. `Selection` orders the channels from the chain's current `ChainState` (no messages), as
///    slots of that state: each candidate's health, route and breaker are then read by index.
/// 2. A's HTTP channel gets the request bytes as the client sent them, with a per-method
///    timeout, over the route the board published (the URL parsed when the chain started). A
///    half-open channel first asks its breaker for the single trial ticket
///    (`CircuitBreaker.admission(from:)`).
/// 3. The reply is classified. Its verdict goes to A's breaker and, when it says something
///    about A's speed, a sample to the benchmark store — through the `AttemptRecorder`, which
///    batches them per event-loop turn; recording never delays the reply.
/// 4. Success or a caller fault (a revert, invalid params): the provider's bytes go back with
///    only the `id` restored to the client's. A provider fault or rate limit: try B, reading
///    the board again so that a breaker that opened meanwhile is seen.
/// 5. Every candidate failed: the candidates a breaker turned away (open since selection, or
///    half-open with its trial taken) get one attempt each as a last resort, without asking
///    their breakers; when `Selection` found no eligible channel at all, the channels whose
///    breaker is open are the candidates from the start (`Selection` rule 6). A breaker forced
///    open by an operator is never passed. Such a request is logged `routing.last_resort: true`.
/// 6. Still no answer: HTTP 200 with JSON-RPC error -32000, the client's id and a short
///    reason naming providers by id only (never by URL).
///
/// A method name lassod will not route (`JSONRPCMethodName.problem`) is refused (-32601) before
/// selection. Write methods (`WriteMethodPolicy`) are refused (-32601) unless the chain allows
/// them; then their bytes go to one provider once: a candidate skipped before sending (its
/// breaker opened meanwhile) hands over to the next, but once an attempt has sent, whatever it
/// returns is final. A pinned provider gets one attempt, with no failover.
///
/// A reply too large for lassod (`responseTooLarge`) is about the request, not the provider:
/// it never counts against a breaker or a score. After one over a WebSocket only HTTP channels
/// are tried (their cap is higher, and each further WebSocket would drop a socket that other
/// requests and subscriptions share); after one over HTTP the request fails.
///
/// Verdicts stay typed (`ErrorClassification`) from the classifier to the breaker, the
/// benchmark store and the failover decision; they become text only in what is shown: the
/// request's log category and the -32000 message.
///
/// The pipeline is callback-driven so that with a libwebsockets transport the whole request can
/// run on the event-loop thread; the only task hop is a half-open breaker's admission call.
public final class RequestPipeline: Sendable {
    let sender: any UpstreamSender
    let recorder: any AttemptRecorder
    let clock: any RuntimeClock
    let timeouts: MethodTimeouts

    public init(sender: any UpstreamSender, recorder: any AttemptRecorder, clock: any RuntimeClock,
                timeouts: MethodTimeouts = .default) {
        self.sender = sender
        self.recorder = recorder
        self.clock = clock
        self.timeouts = timeouts
    }

    /// Routes `request`; `completion` is called exactly once.
    public func execute(_ request: PipelineRequest, completion: @escaping @Sendable (PipelineOutcome) -> Void) {
        let started = clock.now()
        let method = request.head.method
        let chain = request.board.chain
        if let problem = JSONRPCMethodName.problem(method) {
            completion(refusal(request, context: request.context, code: JSONRPCErrorBody.methodNotFound,
                               category: "caller.invalid_method", message: problem))
            return
        }
        let isWrite = WriteMethodPolicy.isWrite(method)
        if isWrite && !chain.allowWriteMethods {
            completion(refusal(request, context: request.context, code: JSONRPCErrorBody.methodNotFound,
                               category: "caller.write_method",
                               message: "\(method) is a write method; lassod does not forward it on chain "
                                   + "\(chain.key) (set allow_write_methods: true to allow)"))
            return
        }
        let state = request.board.current
        var slots: [Int]
        var lastResort = false
        if let pinned = request.pinnedProvider {
            slots = state.slot(of: pinned, transport: .http).map { [$0] } ?? []
        } else {
            let counter = request.board.nextRoundRobin()
            func ordered(lastResort: Bool) -> [Int] {
                var ordered = Selection.orderedSlots(state.snapshot, method: method, strategy: request.strategy,
                                                     now: started, roundRobinCounter: counter, lastResort: lastResort)
                if request.httpOnly { ordered.removeAll { ChainSnapshot.transport(ofSlot: $0) != .http } }
                return ordered
            }
            slots = ordered(lastResort: false)
            if slots.isEmpty {
                slots = ordered(lastResort: true)
                lastResort = !slots.isEmpty
            }
        }
        var context = request.context
        context.recordSelection(candidates: slots.map { state.channels[$0] }, startedAtNanos: started.nanoseconds,
                                finishedAtNanos: clock.now().nanoseconds)
        context.lastResort = lastResort
        guard !slots.isEmpty else {
            completion(refusal(request, context: context, code: JSONRPCErrorBody.serverError, category: "no_provider",
                               message: "no provider available for \(method) on \(chain.key)"))
            return
        }
        Run(pipeline: self, request: request, state: state, slots: slots, lastResort: lastResort, isWrite: isWrite,
            started: started, context: context, completion: completion).attempt(0)
    }

    /// A request answered by lassod itself, before any attempt.
    private func refusal(_ request: PipelineRequest, context: RequestContext, code: Int, category: String,
                         message: String) -> PipelineOutcome {
        var context = context
        context.recordError(.init(code: code, message: message, category: category), atNanos: clock.now().nanoseconds)
        let body = request.head.id.map { JSONRPCErrorBody.make(id: request.body[$0], code: code, message: message) }
        return PipelineOutcome(body: body, context: context)
    }

    // MARK: - Attempts

    /// One request between callbacks: its candidates, its record, the attempt in flight.
    ///
    /// A reference, not a value: copying the request and its context at every step cost more
    /// than routing it, and a callback that captures only this object needs no allocation of its
    /// own. Only one step of a request runs at a time — each is started by the one before it (an
    /// attempt by the last one's reply, on whatever thread that arrived), with the hand-over
    /// ordering the memory — so its fields are never touched concurrently. That sequencing is
    /// what `@unchecked Sendable` stands for.
    private final class Run: @unchecked Sendable {
        /// Why an attempt produced no answer to return: the trail the -32000 message names.
        enum Miss: Equatable {
            /// The channel's breaker would not take it (opened since selection, or a half-open
            /// breaker's trial was taken).
            case refusedByBreaker
            /// The attempt was sent and judged so.
            case judged(ErrorClassification)

            var label: String {
                switch self {
                case .refusedByBreaker: "breaker.rejected"
                case .judged(let verdict): verdict.label
                }
            }
        }

        let pipeline: RequestPipeline
        let board: ChainStateBoard
        let body: [UInt8]
        let head: JSONRPCRequestHead
        let pinned: Bool
        /// The candidates, best first, as slots of the chain's state: those `Selection` returned,
        /// then, once `lastResort`, those their breakers refused.
        var slots: [Int]
        /// Whether the attempts go to channels whose breakers refused traffic, nothing else being
        /// left: their breakers are not asked, only an operator's forced open still holds.
        var lastResort: Bool
        /// Candidates an open or half-open breaker turned away, best first: the last resort if
        /// every other candidate fails.
        var refused: [Int] = []
        let isWrite: Bool
        /// At most one attempt may send: a write (never broadcast twice) or a pinned provider.
        let singleSend: Bool
        let started: RuntimeInstant
        let completion: @Sendable (PipelineOutcome) -> Void
        /// The chain's state the current candidate is read from.
        var state: ChainState
        var context: RequestContext
        /// Attempts that gave no answer, in order; empty on the usual path.
        var misses: [(channel: Channel, miss: Miss)] = []
        /// Whether some attempt handed the request's bytes to a transport: from then on they may
        /// have reached a provider.
        var sent = false
        /// A reply was too large over a WebSocket: only HTTP channels are left to try.
        var httpOnly = false
        /// The attempt in flight.
        var index = 0
        var channel = Channel(providerID: "", transport: .http)
        var breaker: ServerRef<CircuitBreaker>?
        var ticket = CircuitBreakerMachine.Ticket.regular
        var sentAt = RuntimeInstant(nanoseconds: 0)

        init(pipeline: RequestPipeline, request: PipelineRequest, state: ChainState, slots: [Int], lastResort: Bool,
             isWrite: Bool, started: RuntimeInstant, context: RequestContext,
             completion: @escaping @Sendable (PipelineOutcome) -> Void) {
            self.pipeline = pipeline
            board = request.board
            body = request.body
            head = request.head
            pinned = request.pinnedProvider != nil
            self.state = state
            self.slots = slots
            self.lastResort = lastResort
            self.isWrite = isWrite
            singleSend = isWrite || pinned
            self.started = started
            self.context = context
            self.completion = completion
        }

        func attempt(_ index: Int) {
            guard index < slots.count, !(singleSend && sent) else {
                if !beginLastResort() { allFailed() }
                return
            }
            let slot = slots[index]
            if httpOnly && ChainSnapshot.transport(ofSlot: slot) != .http {
                attempt(index + 1)
                return
            }
            // Selection read `state`; a later candidate reads the board again, so that a breaker
            // that opened (or a socket that dropped) during the earlier attempts is seen.
            if index > 0 { state = board.current }
            let phase = state.health(at: slot)?.phase ?? .closed
            let breaker = state.links[slot].breaker
            if lastResort {
                // The breaker is not asked, except by an operator who took the provider out.
                guard phase != .forcedOpen else {
                    misses.append((state.channels[slot], .refusedByBreaker))
                    attempt(index + 1)
                    return
                }
                send(index, slot: slot, breaker: breaker, ticket: .lastResort, phase: phase)
                return
            }
            // A later candidate whose breaker opened since selection is skipped (kept for the
            // last resort); a pinned provider is tried whatever its breaker says.
            if !phase.admitsTraffic && !pinned {
                misses.append((state.channels[slot], .refusedByBreaker))
                if phase == .open { refused.append(slot) }
                attempt(index + 1)
                return
            }
            guard phase == .halfOpen, let breaker else {
                send(index, slot: slot, breaker: breaker, ticket: .regular, phase: phase)
                return
            }
            Task {
                if let ticket = await CircuitBreaker.admission(from: breaker) {
                    self.send(index, slot: slot, breaker: breaker, ticket: ticket, phase: phase)
                } else {
                    self.misses.append((self.state.channels[slot], .refusedByBreaker))
                    self.refused.append(slot)
                    self.attempt(index + 1)
                }
            }
        }

        /// Every candidate has been tried or refused: the ones a breaker refused (its trial
        /// taken, or opened since selection) get one attempt each before the request fails, as
        /// when `Selection` found nothing but open channels. False when there are none, or a
        /// single-send request has sent already.
        private func beginLastResort() -> Bool {
            guard !lastResort, !refused.isEmpty, !(singleSend && sent) else { return false }
            lastResort = true
            context.lastResort = true
            slots = refused
            refused = []
            attempt(0)
            return true
        }

        private func send(_ index: Int, slot: Int, breaker: ServerRef<CircuitBreaker>?, ticket: CircuitBreakerMachine.Ticket,
                          phase: BreakerPhase) {
            self.index = index
            channel = state.channels[slot]
            self.breaker = breaker
            self.ticket = ticket
            sentAt = pipeline.clock.now()
            sent = true
            context.recordAttempt(on: channel, breakerPhase: phase, startedAtNanos: sentAt.nanoseconds)
            pipeline.sender.send(body, over: channel, route: state.links[slot].route,
                                 timeout: pipeline.timeouts.timeout(for: head.method), idempotent: !isWrite) { reply in
                self.replied(reply)
            }
        }

        private func replied(_ reply: UpstreamReply) {
            let repliedAt = pipeline.clock.now()
            let judged = head.isNotification ? Judgement(verdict: RequestPipeline.judgeNotification(reply), scan: nil)
                : RequestPipeline.judgement(reply)
            let verdict = judged.verdict
            let sample = verdict.benchmarkSuccess.map { succeeded in
                BenchmarkSample(chain: board.chain.key,
                                key: MetricKey(providerID: channel.providerID, method: head.method, transport: channel.transport),
                                latencyMicros: repliedAt.since(sentAt).wholeMicroseconds, succeeded: succeeded,
                                at: repliedAt)
            }
            pipeline.recorder.record(FinishedAttempt(breaker: breaker, channel: channel, verdict: verdict, ticket: ticket,
                                                     sample: sample))
            // Only the unambiguous code marks the method unsupported for everyone: a message
            // like "… not supported" may be about this request's params.
            if case .providerFault(.methodUnsupported) = verdict, judged.scan?.errorCode == JSONRPCErrorBody.methodNotFound {
                board.publish(unsupportedMethod: head.method, provider: channel.providerID)
            }
            context.recordUpstreamResponse(atNanos: repliedAt.nanoseconds)
            if !verdict.failsOver, case .response(_, _, let response) = reply {
                answer(response, judged: judged)
                return
            }
            misses.append((channel, .judged(verdict)))
            if verdict == .providerFault(.responseTooLarge) {
                guard channel.transport != .http else {
                    allFailed()
                    return
                }
                httpOnly = true
            }
            attempt(index + 1)
        }

        // MARK: - Outcomes

        /// Returns the provider's answer with the client's id restored, reusing the scan the
        /// verdict was reached with: the response is scanned once per attempt.
        private func answer(_ response: [UInt8], judged: Judgement) {
            let now = pipeline.clock.now()
            let verdict = judged.verdict
            let scan = judged.scan
            if verdict == .success {
                let first = scan?.result.flatMap { response.indices.contains($0.lowerBound) ? response[$0.lowerBound] : nil }
                context.recordSuccess(resultType: first.flatMap(RequestContext.ResultType.init(firstByte:)),
                                      atNanos: now.nanoseconds)
            } else {
                let message = scan?.errorMessage.flatMap { JSONRPCScanner.decodeString(response, token: $0) } ?? verdict.label
                context.recordError(.init(code: scan?.errorCode ?? 0, message: message, category: verdict.label),
                                    atNanos: now.nanoseconds)
            }
            var reply: [UInt8]?
            if let id = head.id, let scan {
                reply = response.withUnsafeBytes { response in
                    body.withUnsafeBytes { request in
                        ResponseIDSplice.splice(response: response, scan: scan, clientID: UnsafeRawBufferPointer(rebasing: request[id]))
                    }
                }
            }
            completion(PipelineOutcome(body: reply, context: context))
        }

        private func allFailed() {
            let method = head.method
            let chain = board.chain.key
            if !misses.isEmpty, misses.allSatisfy({ $0.miss == .judged(.providerFault(.methodUnsupported)) }) {
                fail(code: JSONRPCErrorBody.methodNotFound, category: Miss.judged(.providerFault(.methodUnsupported)).label,
                     message: "\(method) is not supported by any provider of \(chain)")
                return
            }
            let what = misses.last?.miss == .judged(.providerFault(.responseTooLarge))
                ? "the reply to \(method) on \(chain) is larger than lassod accepts "
                    + "from a provider; ask for less (a narrower block range, fewer addresses)"
                : "all providers failed for \(method) on \(chain)"
            var message = what
            if !misses.isEmpty {
                message += " (" + misses.map { "\($0.channel.providerID)/\($0.channel.transport.rawValue): \($0.miss.label)" }
                    .joined(separator: ", ") + ")"
            }
            if isWrite && sent {
                // The client must not assume nothing happened: the one attempt may have broadcast it.
                message += "; a write is sent to one provider once and never retried elsewhere, so it may have been "
                    + "broadcast: check before sending it again"
            }
            fail(code: JSONRPCErrorBody.serverError, category: "all_failed", message: message)
        }

        private func fail(code: Int, category: String, message: String) {
            context.recordError(.init(code: code, message: message, category: category),
                                atNanos: pipeline.clock.now().nanoseconds)
            let reply = head.id.map { JSONRPCErrorBody.make(id: body[$0], code: code, message: message) }
            completion(PipelineOutcome(body: reply, context: context))
        }
    }

    // MARK: - Judging replies

    /// A reply's verdict and the scan it was reached with (`nil` when the body did not scan).
    struct Judgement: Sendable {
        let verdict: ErrorClassification
        let scan: JSONRPCResponseScan?
    }

    /// Classifies a reply. A 2xx (or WebSocket) reply that scans as a JSON-RPC response without
    /// an error is a success without further work; only errors are decoded.
    static func judge(_ reply: UpstreamReply) -> ErrorClassification { judgement(reply).verdict }

    static func judgement(_ reply: UpstreamReply) -> Judgement {
        switch reply {
        case .failure(let failure):
            return Judgement(verdict: ErrorClassification.classify(.transportFailure(failure)), scan: nil)
        case .response(let status, let retryAfterHeader, let body):
            let retryAfter = retryAfterHeader.flatMap { ErrorClassification.retryAfter(headerValue: $0) }
            guard let scan = JSONRPCScanner.scanResponse(body) else {
                if status == nil || (200...299).contains(status ?? 0) {
                    return Judgement(verdict: ErrorClassification.classify(.transportFailure(.invalidResponse)), scan: nil)
                }
                return Judgement(verdict: ErrorClassification.classify(
                    .response(httpStatus: status, rpcError: nil, retryAfter: retryAfter)), scan: nil)
            }
            guard scan.result != nil || scan.isError else {
                return Judgement(verdict: ErrorClassification.classify(.transportFailure(.invalidResponse)), scan: scan)
            }
            var rpcError: UpstreamRPCError?
            if scan.isError {
                let message = scan.errorMessage.flatMap { JSONRPCScanner.decodeString(body, token: $0) } ?? ""
                rpcError = UpstreamRPCError(code: scan.errorCode ?? 0, message: message)
            }
            return Judgement(verdict: ErrorClassification.classify(
                .response(httpStatus: status, rpcError: rpcError, retryAfter: retryAfter)), scan: scan)
        }
    }

    /// A notification's reply carries no answer (often an empty body): any 2xx means the
    /// provider took it. Only transport failures and error statuses fail over.
    static func judgeNotification(_ reply: UpstreamReply) -> ErrorClassification {
        if case .response(let status, _, _) = reply, status == nil || (200...299).contains(status ?? 0) {
            return .success
        }
        return judge(reply)
    }
}
