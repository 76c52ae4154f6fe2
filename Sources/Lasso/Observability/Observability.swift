import Synchronization

/// The per-request logging front: decides whether a completed request is logged (level,
/// sampling), renders its `rpc.request.completed` line and hands it to the sink. Not a
/// process: it is called inline at the end of each request and holds no per-request state.
///
/// ```swift
/// let observability = Observability(config: config.observability, sink: StandardOutputSink(),
///                                    secretsOf: configs)   // follows reloads
/// // at the end of the pipeline:
/// observability.logRequestCompleted(context)
/// // at shutdown:
/// observability.flush()
/// ```
/// Time and randomness are injected (`wallClockMillis`, `randomDraw`) so tests are exact; the
/// defaults read the real-time clock and a system-keyed generator. With `sampling_rate` 1.0
/// no random draw is made at all.
public final class Observability: Sendable {
    /// The settings in force.
    public let config: ObservabilityConfig
    /// The sampling policy derived from `config.samplingRate`.
    public let sampler: LogSampler
    /// Secrets removed from upstream error messages: those of the current config.
    public var scrubber: SecretScrubber { currentScrubber() }
    private let currentScrubber: @Sendable () -> SecretScrubber
    private let sink: any LogSink
    private let wallClockMillis: @Sendable () -> Int64
    private let randomDraw: @Sendable () -> UInt64

    /// An observability front writing to `sink`. Without `randomDraw`, sampling draws come
    /// from a `RequestIDGenerator` keyed by the system: uniform enough to sample, and a few
    /// nanoseconds instead of a kernel call per draw.
    public convenience init(
        config: ObservabilityConfig,
        sink: any LogSink,
        scrubber: SecretScrubber = SecretScrubber(),
        wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis,
        randomDraw: (@Sendable () -> UInt64)? = nil
    ) {
        self.init(config: config, sink: sink, currentScrubber: { scrubber }, wallClockMillis: wallClockMillis,
                  randomDraw: randomDraw)
    }

    /// An observability front whose scrubber is the one of `configs`' current snapshot, read
    /// once per logged error (one lock, no rebuild): a reload's new provider keys are removed too.
    public convenience init(config: ObservabilityConfig, sink: any LogSink, secretsOf configs: ConfigStore) {
        self.init(config: config, sink: sink, currentScrubber: { configs.snapshot.scrubber })
    }

    init(
        config: ObservabilityConfig,
        sink: any LogSink,
        currentScrubber: @escaping @Sendable () -> SecretScrubber,
        wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis,
        randomDraw: (@Sendable () -> UInt64)? = nil
    ) {
        self.config = config
        sampler = LogSampler(rate: config.samplingRate)
        self.currentScrubber = currentScrubber
        self.sink = sink
        self.wallClockMillis = wallClockMillis
        if let randomDraw {
            self.randomDraw = randomDraw
        } else {
            let generator = RequestIDGenerator()
            self.randomDraw = { generator.next().high }
        }
    }

    /// Whether `context` passes the level filter and the sampler. Draws a random number only
    /// when sampling is in effect and the request succeeded.
    public func shouldLog(_ context: RequestContext) -> Bool {
        guard RequestLogLine.level(for: context) >= config.logLevel else { return false }
        let isError = context.status == .error
        if sampler.keepsAll || isError { return true }
        return sampler.keeps(isError: isError, draw: randomDraw())
    }

    /// Logs `context` if `shouldLog` says so. Returns whether a line was written.
    @discardableResult
    public func logRequestCompleted(_ context: RequestContext) -> Bool {
        guard shouldLog(context) else { return false }
        sink.write(RequestLogLine.render(context, config: config, scrubber: scrubber, unixMillis: wallClockMillis()))
        return true
    }

    /// Writes out every buffered line; call on shutdown.
    public func flush() {
        sink.flush()
    }
}
