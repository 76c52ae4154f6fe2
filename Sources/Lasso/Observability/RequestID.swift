/// A request's identity in logs, `X-Lasso-Request-ID` and `lasso_meta`: 128 random bits shown
/// as 32 lowercase hex digits, e.g. `21027f767548a9b6ddff97c860e7e58c`.
///
/// 128 bits make a collision across a fleet's lifetime negligible without coordination; the
/// bits come from the caller's generator so tests can fix them.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The high 64 bits.
    public var high: UInt64
    /// The low 64 bits.
    public var low: UInt64

    /// The id with these bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh id drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> RequestID {
        RequestID(high: generator.next(), low: generator.next())
    }

    /// A fresh id from the system's random source.
    public static func random() -> RequestID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The 32 hex digits.
    public var description: String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        appendHex(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the 32 hex digits to `output`, for writers that build a line in place.
    public func appendHex(to output: inout [UInt8]) {
        Self.appendHex(high, to: &output)
        Self.appendHex(low, to: &output)
    }

    private static func appendHex(_ value: UInt64, to output: inout [UInt8]) {
        var shift: UInt64 = 60
        while true {
            let nibble = UInt8(truncatingIfNeeded: (value >> shift) & 0xF)
            output.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            if shift == 0 { break }
            shift -= 4
        }
    }
}
