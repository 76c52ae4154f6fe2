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

    /// Characters in the hex form.
    public static let hexLength = 32

    /// The 32 hex digits.
    public var description: String {
        String(unsafeUninitializedCapacity: Self.hexLength) { buffer in
            buffer.baseAddress.map { writeHex(to: $0) }
            return buffer.baseAddress == nil ? 0 : Self.hexLength
        }
    }

    /// Writes the `hexLength` hex digits at `output`, for writers that build a line in place.
    public func writeHex(to output: UnsafeMutablePointer<UInt8>) {
        for index in 0..<16 {
            let shift = UInt64(60 - 4 * index)
            output[index] = Self.hexDigit(high >> shift)
            output[16 + index] = Self.hexDigit(low >> shift)
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt64) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value & 0xF)
        return nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
