import Testing
@testable import Lasso

struct DashboardThrottleTests {
    @Test func theFirstChangePushesAtOnceAndTheNextWaitsOutTheInterval() {
        var throttle = DashboardThrottle(minimumIntervalNanos: 100)
        #expect(throttle.delay(nowNanos: 5_000) == 0)
        throttle.pushed(atNanos: 5_000)
        #expect(throttle.delay(nowNanos: 5_000) == 100)
        #expect(throttle.delay(nowNanos: 5_030) == 70)
        #expect(throttle.delay(nowNanos: 5_100) == 0)
        #expect(throttle.delay(nowNanos: 9_000) == 0)
    }

    @Test func theDefaultAllowsTenPushesASecond() {
        #expect(DashboardThrottle().minimumIntervalNanos == 100_000_000)
    }
}
