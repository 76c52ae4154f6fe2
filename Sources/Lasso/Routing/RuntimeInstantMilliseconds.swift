import Supervision

/// The routing cores' view of the one instant type, `RuntimeInstant` (nanoseconds on the
/// runtime's monotonic clock): their policies are configured in milliseconds (`cooldown_ms`,
/// `Retry-After`, windows), so they move and compare instants in milliseconds.
///
/// The cores never read a clock: every decision that depends on time takes an instant from the
/// caller — the process that owns the core passes `context.runtime.clock.now()` as it is, and a
/// test a `ManualClock`'s. Arithmetic saturates instead of trapping, so a hostile `Retry-After`
/// or a clock near its limit can never crash a process.
///
/// ```swift
/// let opened = RuntimeInstant(milliseconds: 1_000)
/// let until = opened.advanced(byMilliseconds: 30_000)   // 31 s after the origin
/// let cooldown = until.milliseconds(since: opened)      // 30_000
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
extension RuntimeInstant {
    /// The instant `milliseconds` after the clock's origin.
    public init(milliseconds: UInt64) {
        let (nanoseconds, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        self.init(nanoseconds: overflow ? .max : nanoseconds)
    }

    /// The clock's origin.
    public static let zero = RuntimeInstant(nanoseconds: 0)

    /// Whole milliseconds since the clock's origin.
    public var milliseconds: UInt64 { nanoseconds / 1_000_000 }

    /// This instant moved `delta` milliseconds later, saturating at the largest instant.
    public func advanced(byMilliseconds delta: UInt64) -> RuntimeInstant {
        let (step, overflow) = delta.multipliedReportingOverflow(by: 1_000_000)
        let (sum, carried) = nanoseconds.addingReportingOverflow(step)
        return RuntimeInstant(nanoseconds: overflow || carried ? .max : sum)
    }

    /// Whole milliseconds from `earlier` to this instant; zero when `earlier` is not earlier.
    public func milliseconds(since earlier: RuntimeInstant) -> UInt64 {
        nanoseconds > earlier.nanoseconds ? (nanoseconds - earlier.nanoseconds) / 1_000_000 : 0
    }
}
