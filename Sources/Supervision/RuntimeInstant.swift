/// A point on a runtime clock's monotonic timeline, in nanoseconds from an arbitrary origin.
///
/// Supervision uses its own instant type (rather than `ContinuousClock.Instant`) so that a
/// `ManualClock` in tests and the `SystemClock` in production share one timeline type.
public struct RuntimeInstant: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: RuntimeInstant, rhs: RuntimeInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant `duration` later; negative durations move back, saturating at the origin.
    public static func + (lhs: RuntimeInstant, rhs: Duration) -> RuntimeInstant {
        let delta = rhs.nanoseconds
        if delta >= 0 {
            let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(UInt64(delta))
            return RuntimeInstant(nanoseconds: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return RuntimeInstant(nanoseconds: lhs.nanoseconds > magnitude ? lhs.nanoseconds - magnitude : 0)
    }

    public static func - (lhs: RuntimeInstant, rhs: Duration) -> RuntimeInstant { lhs + (.zero - rhs) }

    /// The time from `earlier` to `self`; zero if `earlier` is later.
    public func since(_ earlier: RuntimeInstant) -> Duration {
        guard nanoseconds > earlier.nanoseconds else { return .zero }
        return .nanoseconds(Int64(clamping: nanoseconds - earlier.nanoseconds))
    }
}

extension Duration {
    /// The whole duration in nanoseconds, clamped to `Int64`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (scaled < 0 ? .min : .max) : sum
    }

    /// The duration in (fractional) seconds, for display.
    var inSeconds: Double { Double(nanoseconds) / 1_000_000_000 }
}
