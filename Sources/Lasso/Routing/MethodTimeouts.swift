/// How long one upstream attempt may take, by method. Log and trace queries scan many blocks and
/// get longer; everything else should answer well within ten seconds or is better retried
/// elsewhere.
public enum MethodTimeouts {
    public static let standard: Duration = .seconds(10)
    public static let heavy: Duration = .seconds(30)

    public static func timeout(for method: String) -> Duration {
        if method == "eth_getLogs" || method.hasPrefix("debug_") || method.hasPrefix("trace_") { return heavy }
        return standard
    }
}
