/// How long one upstream attempt may take, by method. Log and trace queries scan many blocks and
/// get longer; everything else should answer well within ten seconds or is better retried
/// elsewhere.
///
/// A value handed to the `RequestPipeline`, so that a test can cut a hanging provider in
/// milliseconds instead of waiting out the production ten seconds:
///
/// ```swift
/// let quick = MethodTimeouts(standard: .milliseconds(500), heavy: .seconds(1))
/// let logs = quick.timeout(for: "eth_getLogs")                       // 1 s: a heavy method
/// let chainID = MethodTimeouts.default.timeout(for: "eth_chainId")   // 10 s
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct MethodTimeouts: Sendable, Equatable {
    /// For every method not listed as heavy.
    public var standard: Duration
    /// For `eth_getLogs`, `debug_*` and `trace_*`.
    public var heavy: Duration

    public init(standard: Duration, heavy: Duration) {
        self.standard = standard
        self.heavy = heavy
    }

    /// What lassod uses: 10 s, and 30 s for the heavy methods.
    public static let `default` = MethodTimeouts(standard: .seconds(10), heavy: .seconds(30))

    public func timeout(for method: String) -> Duration {
        if method == "eth_getLogs" || method.hasPrefix("debug_") || method.hasPrefix("trace_") { return heavy }
        return standard
    }
}
