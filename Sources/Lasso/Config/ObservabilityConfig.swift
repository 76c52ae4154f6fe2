/// `observability:` — what the `Logger` writes (the per-request line and daemon events) and the
/// request metadata returned to clients. Read at start: a reload does not apply it.
public struct ObservabilityConfig: Sendable, Equatable {
    /// Lowest level written to the log.
    public enum LogLevel: String, Sendable, CaseIterable, Comparable {
        /// Everything, including supervision starts, restarts and stops and each breaker's
        /// first phase.
        case debug
        /// Normal operation: successful `rpc.request.completed` lines, lifecycle, reloads,
        /// admin commands.
        case info
        /// Something degraded but handled: a failed request, a breaker that stops admitting
        /// traffic, a provider going down, a process exiting.
        case warning
        /// Something failed.
        case error

        /// Orders levels from most to least verbose.
        public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// The least severe level written. Default `info`.
    public var logLevel: LogLevel
    /// Log a SHA-256 digest of params instead of nothing. Default true.
    public var includeParamsDigest: Bool
    /// Upstream error messages are cut to this many characters in logs. Default 256.
    public var maxErrorMessageChars: Int
    /// `X-Lasso-Meta` larger than this is replaced by the request id alone. Default 4096.
    public var maxMetaHeaderBytes: Int
    /// Fraction of successful requests logged, 0...1 (failed ones are always logged). Default 1.0.
    public var samplingRate: Double

    /// Creates an observability section; the defaults are those of an absent `observability:`.
    public init(logLevel: LogLevel = .info, includeParamsDigest: Bool = true, maxErrorMessageChars: Int = 256,
                maxMetaHeaderBytes: Int = 4096, samplingRate: Double = 1.0) {
        self.logLevel = logLevel
        self.includeParamsDigest = includeParamsDigest
        self.maxErrorMessageChars = maxErrorMessageChars
        self.maxMetaHeaderBytes = maxMetaHeaderBytes
        self.samplingRate = samplingRate
    }

    static let keys = ["log_level", "include_params_digest", "max_error_message_chars", "max_meta_header_bytes", "sampling_rate"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = ObservabilityConfig()
        let levels = LogLevel.allCases.map(\.rawValue)
        self.init(logLevel: decoder.choice(fields, "log_level", expected: levels, LogLevel.init(rawValue:)) ?? defaults.logLevel,
                  includeParamsDigest: decoder.bool(fields, "include_params_digest") ?? defaults.includeParamsDigest,
                  maxErrorMessageChars: decoder.int(fields, "max_error_message_chars", in: 1...Int.max)
                      ?? defaults.maxErrorMessageChars,
                  maxMetaHeaderBytes: decoder.int(fields, "max_meta_header_bytes", in: 1...Int.max)
                      ?? defaults.maxMetaHeaderBytes,
                  samplingRate: decoder.double(fields, "sampling_rate", in: 0...1) ?? defaults.samplingRate)
    }
}
