import Supervision

/// Routes one JSON-RPC request: select candidates, try them in order, fail over on provider
/// faults, return caller faults at once, and record every attempt.
///
/// The flow, for `eth_blockNumber` on a chain with providers A and B:
/// 1. `Selection` orders the channels from the chain's published snapshot (no messages).
/// 2. A's HTTP channel gets the request bytes as the client sent them, with a per-method
///    timeout. A half-open channel first asks its breaker for the single trial ticket.
/// 3. The reply is classified. Its verdict goes to A's breaker and, when it says something
///    about A's speed, a sample to the benchmark store — through the `AttemptRecorder`, which
///    batches them per event-loop turn; recording never delays the reply.
/// 4. Success or a caller fault (a revert, invalid params): the provider's bytes go back with
///    only the `id` restored to the client's. A provider fault or rate limit: try B.
/// 5. Every candidate failed: HTTP 200 with JSON-RPC error -32000, the client's id and a short
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
/// The pipeline is callback-driven so that with a libwebsockets transport the whole request can
/// run on the event-loop thread; the only task hop is a half-open breaker's admission call.
public final class RequestPipeline: Sendable {
    let sender: any UpstreamSender
    let breakers: BreakerDirectory
    let recorder: any AttemptRecorder
    let clock: any RuntimeClock
    let timeouts: MethodTimeouts

    public init(sender: any UpstreamSender, breakers: BreakerDirectory, recorder: any AttemptRecorder,
                clock: any RuntimeClock, timeouts: MethodTimeouts = .default) {
        self.sender = sender
        self.breakers = breakers
        self.recorder = recorder
        self.clock = clock
        self.timeouts = timeouts
    }

    /// Routes `request`; `completion` is called exactly once.
    public func execute(_ request: PipelineRequest, completion: @escaping @Sendable (PipelineOutcome) -> Void) {
        let started = clock.now()
        let method = request.head.method
        if let problem = JSONRPCMethodName.problem(method) {
            completion(failure(request, code: JSONRPCErrorBody.methodNotFound, status: "caller.invalid_method",
                               message: problem, candidates: [], attempts: [], context: request.context,
                               started: started))
            return
        }
        let isWrite = WriteMethodPolicy.isWrite(method)
        if isWrite && !request.chain.allowWriteMethods {
            completion(failure(request, code: JSONRPCErrorBody.methodNotFound, status: "caller.write_method",
                               message: "\(method) is a write method; lassod does not forward it on chain "
                                   + "\(request.chain.key) (set allow_write_methods: true to allow)",
                               candidates: [], attempts: [], context: request.context, started: started))
            return
        }
        let candidates: [Channel]
        if let pinned = request.pinnedProvider {
            candidates = request.chain.provider(id: pinned) == nil ? [] : [Channel(providerID: pinned, transport: .http)]
        } else {
            candidates = Selection.orderedCandidates(request.board.snapshot, method: method, strategy: request.strategy,
                                                     now: Self.monotonic(started),
                                                     roundRobinCounter: request.board.nextRoundRobin())
        }
        var context = request.context
        context.recordSelection(candidates: candidates, startedAtNanos: started.nanoseconds,
                                finishedAtNanos: clock.now().nanoseconds)
        guard !candidates.isEmpty else {
            completion(failure(request, code: JSONRPCErrorBody.serverError, status: "no_provider",
                               message: "no provider available for \(method) on \(request.chain.key)",
                               candidates: [], attempts: [], context: context, started: started))
            return
        }
        let run = Run(request: request, candidates: candidates, isWrite: isWrite,
                      singleSend: isWrite || request.pinnedProvider != nil,
                      started: started, completion: completion, context: context)
        attempt(run, index: 0)
    }

    // MARK: - Attempts

    /// The state of one request between callbacks.
    ///
    /// A reference, not a value: copying the request and its context at every step cost more
    /// than routing it. Only one step of a request runs at a time — each is started by the one
    /// before it (an attempt by the last one's reply, on whatever thread that arrived), with the
    /// hand-over ordering the memory — so its fields are never touched concurrently. That
    /// sequencing is what `@unchecked Sendable` stands for.
    private final class Run: @unchecked Sendable {
        let request: PipelineRequest
        let candidates: [Channel]
        let isWrite: Bool
        /// At most one attempt may send: a write (never broadcast twice) or a pinned provider.
        let singleSend: Bool
        let started: RuntimeInstant
        let completion: @Sendable (PipelineOutcome) -> Void
        var context: RequestContext
        var attempts: [PipelineOutcome.Attempt] = []
        /// Whether some attempt handed the request's bytes to a transport: from then on they may
        /// have reached a provider.
        var sent = false
        /// A reply was too large over a WebSocket: only HTTP channels are left to try.
        var httpOnly = false

        init(request: PipelineRequest, candidates: [Channel], isWrite: Bool, singleSend: Bool, started: RuntimeInstant,
             completion: @escaping @Sendable (PipelineOutcome) -> Void, context: RequestContext) {
            self.request = request
            self.candidates = candidates
            self.isWrite = isWrite
            self.singleSend = singleSend
            self.started = started
            self.completion = completion
            self.context = context
        }
    }

    private func attempt(_ run: Run, index: Int) {
        guard index < run.candidates.count, !(run.singleSend && run.sent) else {
            allFailed(run)
            return
        }
        let channel = run.candidates[index]
        if run.httpOnly && channel.transport != .http {
            attempt(run, index: index + 1)
            return
        }
        let phase = run.request.board.snapshot.providers.first { $0.id == channel.providerID }?
            .health(of: channel.transport)?.phase ?? .closed
        // A later candidate whose breaker opened since selection is skipped; a pinned provider
        // is tried whatever its breaker says.
        if !phase.admitsTraffic && run.request.pinnedProvider == nil {
            run.attempts.append(.init(channel: channel, verdict: "breaker.rejected", latency: .zero))
            attempt(run, index: index + 1)
            return
        }
        guard phase == .halfOpen, let breaker = breakers.breaker(chain: run.request.chain.key, channel: channel) else {
            send(run, index: index, ticket: .regular, phase: phase)
            return
        }
        Task {
            let admission: CircuitBreaker.Reply?
            do {
                admission = try await breaker.call(.admit, timeout: .seconds(1))
            } catch {
                breaker.cast(.abandonTrial)
                admission = nil
            }
            if case .admission(.allowed(let ticket))? = admission {
                self.send(run, index: index, ticket: ticket, phase: phase)
            } else {
                run.attempts.append(.init(channel: channel, verdict: "breaker.rejected", latency: .zero))
                self.attempt(run, index: index + 1)
            }
        }
    }

    private func send(_ run: Run, index: Int, ticket: CircuitBreakerMachine.Ticket, phase: BreakerPhase) {
        let channel = run.candidates[index]
        let request = run.request
        let sentAt = clock.now()
        run.sent = true
        run.context.recordAttempt(on: channel, breakerPhase: phase, startedAtNanos: sentAt.nanoseconds)
        sender.send(request.body, chain: request.chain.key, over: channel,
                    timeout: timeouts.timeout(for: request.head.method), idempotent: !run.isWrite) { reply in
            let repliedAt = self.clock.now()
            let latency = repliedAt.since(sentAt)
            let judged = request.head.isNotification ? Judgement(verdict: Self.judgeNotification(reply), scan: nil)
                : Self.judgement(reply)
            let verdict = judged.verdict
            let sample = verdict.benchmarkSuccess.map { succeeded in
                BenchmarkSample(chain: request.chain.key,
                                key: MetricKey(providerID: channel.providerID, method: request.head.method, transport: channel.transport),
                                latencyMicros: latency.wholeMicroseconds, succeeded: succeeded, at: MonotonicInstant(repliedAt))
            }
            self.recorder.record(FinishedAttempt(chain: request.chain.key, channel: channel, outcome: verdict.breakerOutcome,
                                                 ticket: ticket, sample: sample))
            // Only the unambiguous code marks the method unsupported for everyone: a message
            // like "… not supported" may be about this request's params.
            if case .providerFault(.methodUnsupported) = verdict, judged.scan?.errorCode == JSONRPCErrorBody.methodNotFound {
                request.board.publish(unsupportedMethod: request.head.method, provider: channel.providerID)
            }
            run.context.recordUpstreamResponse(atNanos: repliedAt.nanoseconds)
            run.attempts.append(.init(channel: channel, verdict: verdict.label, latency: latency))
            if !verdict.failsOver, case .response(_, _, let body) = reply {
                self.answer(run, channel: channel, body: body, judged: judged, latency: latency)
            } else if verdict == .providerFault(.responseTooLarge) && channel.transport == .http {
                self.allFailed(run)
            } else {
                if verdict == .providerFault(.responseTooLarge) { run.httpOnly = true }
                self.attempt(run, index: index + 1)
            }
        }
    }

    // MARK: - Outcomes

    /// Returns the provider's answer with the client's id restored, reusing the scan the
    /// verdict was reached with: the response is scanned once per attempt.
    private func answer(_ run: Run, channel: Channel, body: [UInt8], judged: Judgement, latency: Duration) {
        let now = clock.now()
        let verdict = judged.verdict
        let scan = judged.scan
        var context = run.context
        var errorCode: Int?
        if verdict == .success {
            let first = scan?.result.flatMap { body.indices.contains($0.lowerBound) ? body[$0.lowerBound] : nil }
            context.recordSuccess(resultType: first.flatMap(RequestContext.ResultType.init(firstByte:)), atNanos: now.nanoseconds)
        } else {
            errorCode = scan?.errorCode
            let message = scan?.errorMessage.flatMap { JSONRPCScanner.decodeString(body, token: $0) } ?? verdict.label
            context.recordError(.init(code: errorCode ?? 0, message: message, category: verdict.label), atNanos: now.nanoseconds)
        }
        var reply: [UInt8]?
        if !run.request.head.isNotification, let scan {
            let clientID = Array(run.request.clientID)
            reply = body.withUnsafeBytes { response in
                clientID.withUnsafeBytes { ResponseIDSplice.splice(response: response, scan: scan, clientID: $0) }
            }
        }
        run.completion(PipelineOutcome(body: reply, candidates: run.candidates, attempts: run.attempts,
                                       selected: channel, errorCode: errorCode, status: verdict.label,
                                       upstreamLatency: latency, totalLatency: now.since(run.started), context: context))
    }

    private func allFailed(_ run: Run) {
        let unsupported = "provider." + ProviderFaultCategory.methodUnsupported.rawValue
        if !run.attempts.isEmpty, run.attempts.allSatisfy({ $0.verdict == unsupported }) {
            run.completion(failure(run.request, code: JSONRPCErrorBody.methodNotFound, status: unsupported,
                                   message: "\(run.request.head.method) is not supported by any provider of "
                                       + run.request.chain.key,
                                   candidates: run.candidates, attempts: run.attempts, context: run.context,
                                   started: run.started))
            return
        }
        let trail = run.attempts.map { "\($0.channel.providerID)/\($0.channel.transport.rawValue): \($0.verdict)" }
        let tooLarge = "provider." + ProviderFaultCategory.responseTooLarge.rawValue
        let what = run.attempts.last?.verdict == tooLarge
            ? "the reply to \(run.request.head.method) on \(run.request.chain.key) is larger than lassod accepts "
                + "from a provider; ask for less (a narrower block range, fewer addresses)"
            : "all providers failed for \(run.request.head.method) on \(run.request.chain.key)"
        var message = what + (trail.isEmpty ? "" : " (" + trail.joined(separator: ", ") + ")")
        if run.isWrite && run.sent {
            // The client must not assume nothing happened: the one attempt may have broadcast it.
            message += "; a write is sent to one provider once and never retried elsewhere, so it may have been "
                + "broadcast: check before sending it again"
        }
        run.completion(failure(run.request, code: JSONRPCErrorBody.serverError, status: "all_failed", message: message,
                               candidates: run.candidates, attempts: run.attempts, context: run.context,
                               started: run.started))
    }

    private func failure(_ request: PipelineRequest, code: Int, status: String, message: String,
                         candidates: [Channel], attempts: [PipelineOutcome.Attempt], context: RequestContext,
                         started: RuntimeInstant) -> PipelineOutcome {
        let now = clock.now()
        var context = context
        context.recordError(.init(code: code, message: message, category: status), atNanos: now.nanoseconds)
        let body = request.head.isNotification ? nil : JSONRPCErrorBody.make(id: request.clientID, code: code, message: message)
        return PipelineOutcome(body: body, candidates: candidates, attempts: attempts, selected: nil, errorCode: code,
                               status: status, upstreamLatency: nil, totalLatency: now.since(started), context: context)
    }

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
        case .response(let status, let retryAfter, let body):
            let retryAfterMs = retryAfter.flatMap { ErrorClassification.retryAfterMilliseconds(headerValue: $0) }
            guard let scan = JSONRPCScanner.scanResponse(body) else {
                if status == nil || (200...299).contains(status ?? 0) {
                    return Judgement(verdict: ErrorClassification.classify(.transportFailure(.invalidResponse)), scan: nil)
                }
                return Judgement(verdict: ErrorClassification.classify(
                    .response(httpStatus: status, rpcError: nil, retryAfterMs: retryAfterMs)), scan: nil)
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
                .response(httpStatus: status, rpcError: rpcError, retryAfterMs: retryAfterMs)), scan: scan)
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

    static func monotonic(_ instant: RuntimeInstant) -> MonotonicInstant {
        MonotonicInstant(instant)
    }
}
