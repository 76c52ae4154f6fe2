import Supervision

extension MonotonicInstant {
    /// `instant` of the runtime clock in the routing cores' millisecond unit: the one place the
    /// process shells convert between the two timelines (same origin, coarser unit).
    public init(_ instant: RuntimeInstant) {
        self.init(milliseconds: instant.nanoseconds / 1_000_000)
    }
}
