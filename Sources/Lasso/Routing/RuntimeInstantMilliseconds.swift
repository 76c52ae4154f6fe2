import Supervision

/// The one instant type, `RuntimeInstant` (nanoseconds on the runtime's monotonic clock), in
/// whole milliseconds: for the edges that count or print in milliseconds — the benchmark store's
/// hour buckets, log fields such as `duration_ms`, the simulator's block schedule. Decisions
/// compare instants and `Duration`s; they convert nothing.
///
/// Nothing here reads a clock: the caller passes an instant (a process
/// `context.runtime.clock.now()`, a test a `ManualClock`'s). Arithmetic saturates instead of
/// trapping, so a clock near its limit can never crash a process.
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
