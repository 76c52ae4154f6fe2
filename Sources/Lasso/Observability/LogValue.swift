/// A field value in a `Logger` event line. Literals convert directly:
/// `logger.log(.info, "lassod.started", ["version": "0.1.0", "port": 4000, "chains": 2])`.
public enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    /// Written as an escaped JSON string, after secret scrubbing.
    case string(String)
    /// Written as a JSON integer.
    case int(Int)
    /// Written as a JSON number; NaN and infinities as `null`.
    case double(Double)
    /// Written as `true` or `false`.
    case bool(Bool)
    /// Written as `null`.
    case null

    /// A string field.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer field.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A floating-point field; NaN and infinities are written as `null`, which JSON requires.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A boolean field.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A `null` field.
    public init(nilLiteral: ()) { self = .null }
}
