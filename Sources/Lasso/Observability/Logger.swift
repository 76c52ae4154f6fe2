/// The daemon's structured logger for everything that is not a proxied request: lifecycle
/// (`lassod.started`, `config.reloaded`), supervision (`child.restarted`), breakers
/// (`breaker.opened`), subscriptions. One JSON object per line, same `ts`/`level`/`event`
/// head as `rpc.request.completed`, so one log pipeline parses both:
///
/// ```swift
/// logger.log(.warning, "breaker.opened", ["chain": "ethereum", "provider": "ethereum_ankr", "transport": "http"])
/// // {"ts":"2026-11-25T16:03:30.123Z","level":"warning","event":"breaker.opened","chain":"ethereum",…}
/// ```
/// Lines below `minimumLevel` (config `observability.log_level`) are dropped before any work.
/// String field values pass through the scrubber, so an error description that quotes a
/// provider URL loses its path and query. The daemon's logger takes its scrubber from the
/// current `ConfigStore` snapshot at each line (one lock, no rebuild), so secrets of providers
/// a reload added are removed too. Field keys `ts`, `level` and `event` are reserved.
public final class Logger: Sendable {
    /// The least severe level written.
    public let minimumLevel: ObservabilityConfig.LogLevel
    private let sink: any LogSink
    private let scrubber: @Sendable () -> SecretScrubber
    private let wallClockMillis: @Sendable () -> Int64

    /// A logger writing to `sink` at `minimumLevel` and above, scrubbing with `scrubber`.
    public convenience init(minimumLevel: ObservabilityConfig.LogLevel, sink: any LogSink,
                            scrubber: SecretScrubber = SecretScrubber(),
                            wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis) {
        self.init(minimumLevel: minimumLevel, sink: sink, currentScrubber: { scrubber }, wallClockMillis: wallClockMillis)
    }

    /// A logger at the configured `observability.log_level`, sharing `sink` with the request log.
    public convenience init(config: ObservabilityConfig, sink: any LogSink, scrubber: SecretScrubber = SecretScrubber()) {
        self.init(minimumLevel: config.logLevel, sink: sink, scrubber: scrubber)
    }

    /// A logger whose scrubber is the one of `configs`' current snapshot, read once per line.
    public convenience init(config: ObservabilityConfig, sink: any LogSink, secretsOf configs: ConfigStore) {
        self.init(minimumLevel: config.logLevel, sink: sink, currentScrubber: { configs.snapshot.scrubber })
    }

    init(minimumLevel: ObservabilityConfig.LogLevel, sink: any LogSink,
         currentScrubber: @escaping @Sendable () -> SecretScrubber,
         wallClockMillis: @escaping @Sendable () -> Int64 = RFC3339Timestamp.nowUnixMillis) {
        self.minimumLevel = minimumLevel
        self.sink = sink
        scrubber = currentScrubber
        self.wallClockMillis = wallClockMillis
    }

    /// Whether a line at `level` would be written; lets callers skip building costly fields.
    public func isEnabled(_ level: ObservabilityConfig.LogLevel) -> Bool {
        level >= minimumLevel
    }

    /// Writes one line for `event` with `fields` in the given order, if `level` is enabled.
    public func log(_ level: ObservabilityConfig.LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        guard isEnabled(level) else { return }
        sink.write(render(level, event, fields, unixMillis: wallClockMillis()))
    }

    /// Writes out every buffered line; call on shutdown.
    public func flush() {
        sink.flush()
    }

    /// The line `log` writes, ending in `\n`.
    func render(_ level: ObservabilityConfig.LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue>,
                unixMillis: Int64) -> [UInt8] {
        let scrubber = self.scrubber()
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
}
