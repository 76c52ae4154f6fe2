/// When the dashboard may push next: at most one push per `minimumInterval` (100 ms, so at
/// most 10 a second to every page), and a change that arrives after a quiet spell goes out at
/// once, so a metric change waits at most one interval before it is on its way.
///
/// Pure: the publisher feeds it the runtime clock, tests feed it numbers.
///
/// ```swift
/// var throttle = DashboardThrottle()
/// let now = throttle.delay(nowNanos: 0)              // 0: push now
/// throttle.pushed(atNanos: 0)
/// let later = throttle.delay(nowNanos: 30_000_000)   // 70_000_000: wait 70 ms
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct DashboardThrottle: Sendable, Equatable {
    /// The shortest time between two pushes.
    public let minimumIntervalNanos: UInt64
    /// When the last push started; nil before the first.
    public private(set) var lastPushNanos: UInt64?

    /// 100 ms: ten pushes a second at most.
    public static let defaultIntervalNanos: UInt64 = 100_000_000

    public init(minimumIntervalNanos: UInt64 = DashboardThrottle.defaultIntervalNanos) {
        self.minimumIntervalNanos = minimumIntervalNanos
    }

    /// Nanoseconds to wait before the next push may start; 0 means now.
    public func delay(nowNanos: UInt64) -> UInt64 {
        guard let last = lastPushNanos else { return 0 }
        let earliest = last &+ minimumIntervalNanos
        return earliest > nowNanos ? earliest - nowNanos : 0
    }

    /// Records a push that started at `atNanos`.
    public mutating func pushed(atNanos: UInt64) {
        lastPushNanos = atNanos
    }
}
