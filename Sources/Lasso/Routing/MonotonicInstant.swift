/// A point on a monotonic clock, in milliseconds since an arbitrary origin (usually boot).
///
/// The routing cores never read a clock: every decision that depends on time takes a
/// `MonotonicInstant` from the caller. That keeps them deterministic under test and lets the
/// owning process decide which clock is authoritative. Arithmetic saturates instead of trapping,
/// so a hostile `Retry-After` or a clock near its limit can never crash a process.
public struct MonotonicInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the clock's origin.
    public var milliseconds: UInt64

    /// An instant `milliseconds` after the clock's origin.
    public init(milliseconds: UInt64) {
        self.milliseconds = milliseconds
    }

    /// The clock's origin.
    public static let zero = MonotonicInstant(milliseconds: 0)

    /// This instant moved `delta` milliseconds later, saturating at the largest instant.
    public func advanced(byMilliseconds delta: UInt64) -> MonotonicInstant {
        let (sum, overflow) = milliseconds.addingReportingOverflow(delta)
        return MonotonicInstant(milliseconds: overflow ? UInt64.max : sum)
    }

    /// Milliseconds from `earlier` to this instant; zero when `earlier` is not earlier.
    public func milliseconds(since earlier: MonotonicInstant) -> UInt64 {
        milliseconds > earlier.milliseconds ? milliseconds - earlier.milliseconds : 0
    }

    /// Earlier instants order first.
    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    /// The instant as `<milliseconds>ms`, for logs and test failures.
    public var description: String { "\(milliseconds)ms" }
}
