/// lassod's one logger: every line it writes is one JSON object on one line with the same
/// `ts`/`level`/`event` head, written to one `LogSink`, so one log pipeline parses them all.
/// It writes two kinds of line:
///
/// - **Events**, `log(_:_:_:)`: what happens outside a proxied request. lassod emits
///   `lassod.started` and `lassod.stopped`; `server.open_file_limit` when the open-file limit
///   is below what `server.max_connections` needs; `supervision.<kind>` for every supervision
///   event (`started`, `restarted` and `stopped` at debug, `exited`, `killed` and
///   `intensity_exceeded` at warning); `breaker.transition` and `provider.availability`, which
///   `ChainEventLog` takes from each chain's `PubSub` topic; `config.reloaded` and
///   `config.reload.restart_required` from the `ConfigStore` process, and `config.reload` for
///   a SIGHUP (`AdminReload`); `admin.listening` and `admin.command`; `dashboard.action`; `benchmarks.load_failed`,
///   `benchmarks.save_failed` and `benchmarks.history_failed`; from each `StreamCoordinator`,
///   `subscription.failover.started`, `.failover.completed`, `.backfill`, `.backfill_failed`,
///   `.gap_detected`, `.gap_skipped`, `.reorg`, `.stalled`, `.liveness_unavailable` and
///   `.event_unreadable`, and from `ConfigStore` `subscription.clients_closed`.
/// - **Completed requests**, `logRequestCompleted(_:)`: the `rpc.request.completed` line of a
///   proxied request (`RequestLogLine`), at `info` for a success and `warning` for an error.
///   Successes are sampled by `observability.sampling_rate` (`LogSampler`); errors never are.
///
/// ```swift
/// let logger = Logger(config: config.observability, sink: sink, secretsOf: configs)   // sink: StandardOutputSink() in lassod
/// logger.log(.warning, "breaker.transition", ["chain": "ethereum", "provider": "ethereum_ankr", "to": "open"])
/// // {"ts":"2026-11-25T16:03:30.123Z","level":"warning","event":"breaker.transition","chain":"ethereum",…}
/// logger.logRequestCompleted(context)   // at the end of the pipeline
/// logger.flush()                        // at shutdown
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
/// Lines below `observability.log_level` are dropped before any work. Text that lassod did not
/// write itself (event string fields, upstream error messages) passes through the scrubber, so
/// an error description that quotes a provider URL loses its path and query. The daemon's
/// logger takes its scrubber from the `CurrentConfig` snapshot at each line (one lock,
/// no rebuild), so secrets of providers a reload added are removed too. Field keys `ts`,
/// `level` and `event` are reserved.
///
/// Not a process: it is called inline (on the event-loop thread for requests) and holds no
/// per-line state. Time and randomness are injected (`wallClockMillis`, `randomDraw`) so tests
/// are exact; the defaults read the real-time clock and a system-keyed generator. With
/// `sampling_rate` 1.0 no random draw is made at all.
public final class Logger: Sendable {
    /// The settings in force: level, sampling, params digest, error message length.
    public let config: ObservabilityConfig
    /// The sampling policy derived from `config.samplingRate`.
    public let sampler: LogSampler
    /// The node's region (`server.region`), written into every `rpc.request.completed` line;
    /// nil writes none.
    public let region: String?
    private let sink: any LogSink
    private let currentScrubber: @Sendable () -> SecretScrubber
    private let wallClockMillis: @Sendable () -> Int64
    private let randomDraw: @Sendable () -> UInt64

    /// A logger writing to `sink` with the settings of `config`, scrubbing with `scrubber`.
    /// Without `randomDraw`, sampling draws come from a `RequestIDGenerator` keyed by the
    /// system: uniform enough to sample, and a few nanoseconds instead of a kernel call per draw.
    public convenience init(config: ObservabilityConfig = ObservabilityConfig(), sink: any LogSink,
                            scrubber: SecretScrubber = SecretScrubber(),
                            wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis,
                            randomDraw: (@Sendable () -> UInt64)? = nil) {
        self.init(config: config, sink: sink, currentScrubber: { scrubber }, wallClockMillis: wallClockMillis,
                  randomDraw: randomDraw)
    }

    /// A logger writing lines at `minimumLevel` and above to `sink`, its other settings the
    /// defaults of an absent `observability:` section.
    public convenience init(minimumLevel: ObservabilityConfig.LogLevel, sink: any LogSink,
                            scrubber: SecretScrubber = SecretScrubber(),
                            wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis) {
        self.init(config: ObservabilityConfig(logLevel: minimumLevel), sink: sink, scrubber: scrubber,
                  wallClockMillis: wallClockMillis)
    }

    /// The daemon's logger: its scrubber is the one of `configs`' current snapshot, read once
    /// per line that needs it (one lock, no rebuild), so a reload's new provider keys are
    /// removed too.
    public convenience init(config: ObservabilityConfig, sink: any LogSink, secretsOf configs: CurrentConfig,
                            region: String? = nil) {
        self.init(config: config, sink: sink, currentScrubber: { configs.snapshot.scrubber }, region: region)
    }

    init(config: ObservabilityConfig, sink: any LogSink, currentScrubber: @escaping @Sendable () -> SecretScrubber,
         wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis,
         randomDraw: (@Sendable () -> UInt64)? = nil, region: String? = nil) {
        self.config = config
        self.region = region
        sampler = LogSampler(rate: config.samplingRate)
        self.sink = sink
        self.currentScrubber = currentScrubber
        self.wallClockMillis = wallClockMillis
        if let randomDraw {
            self.randomDraw = randomDraw
        } else {
            let generator = RequestIDGenerator()
            self.randomDraw = { generator.next().high }
        }
    }

    /// The least severe level written (`observability.log_level`).
    public var minimumLevel: ObservabilityConfig.LogLevel { config.logLevel }

    /// Secrets removed from text lassod did not write: those of the current config.
    public var scrubber: SecretScrubber { currentScrubber() }

    /// Whether a line at `level` would be written; lets callers skip building costly fields.
    public func isEnabled(_ level: ObservabilityConfig.LogLevel) -> Bool {
        level >= minimumLevel
    }

    // MARK: - Events

    /// Writes one line for `event` with `fields` in the given order, if `level` is enabled.
    public func log(_ level: ObservabilityConfig.LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        guard isEnabled(level) else { return }
        sink.write(render(level, event, fields, unixMillis: wallClockMillis()))
    }

    /// The line `log` writes, ending in `\n`.
    func render(_ level: ObservabilityConfig.LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue>,
                unixMillis: Int64) -> [UInt8] {
        let scrubber = self.scrubber
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.timestamp("ts", unixMillis: unixMillis)
        json.string("level", level.rawValue)
        json.string("event", event)
        for (key, value) in fields {
            json.key(key)
            switch value {
            case .string(let text): json.stringValue(scrubber.scrub(text))
            case .int(let number): json.integerValue(number)
            case .double(let number): json.doubleValue(number)
            case .bool(let flag): json.boolValue(flag)
            case .null: json.nullValue()
            }
        }
        json.endObject()
        return json.finishLine()
    }

    // MARK: - Completed requests

    /// Whether `context`'s line passes the level filter and the sampler. Draws a random number
    /// only when sampling is in effect and the request succeeded.
    public func shouldLog(_ context: RequestContext) -> Bool {
        guard isEnabled(RequestLogLine.level(for: context)) else { return false }
        let isError = context.status == .error
        if sampler.keepsAll || isError { return true }
        return sampler.keeps(isError: isError, draw: randomDraw())
    }

    /// Writes the `rpc.request.completed` line of `context` if `shouldLog` says so. Returns
    /// whether a line was written.
    @discardableResult
    public func logRequestCompleted(_ context: RequestContext) -> Bool {
        guard shouldLog(context) else { return false }
        sink.write(RequestLogLine.render(context, config: config, scrubber: scrubber, unixMillis: wallClockMillis(),
                                         region: region))
        return true
    }

    /// Writes out every buffered line; call on shutdown.
    public func flush() {
        sink.flush()
    }
}
