import Testing
@testable import LassoTransport

/// The one place a transport `Duration` becomes the loop clock's nanoseconds.
@Suite struct LoopTimersTests {
    @Test func durationsBecomeNanosecondsClampedAtBothEnds() {
        #expect(LoopTimers.nanoseconds(.zero) == 0)
        #expect(LoopTimers.nanoseconds(.nanoseconds(1)) == 1)
        #expect(LoopTimers.nanoseconds(.milliseconds(250)) == 250_000_000)
        #expect(LoopTimers.nanoseconds(.seconds(90)) == 90_000_000_000)
        #expect(LoopTimers.nanoseconds(.seconds(-5)) == 0, "a negative delay is due at once")
        #expect(LoopTimers.nanoseconds(.milliseconds(-1)) == 0)
        // A huge configured value cannot overflow a deadline computed from it.
        #expect(LoopTimers.nanoseconds(.seconds(Int64.max)) == 1_000_000_000 * 1_000_000_000)
        #expect(LoopTimers.now() &+ LoopTimers.nanoseconds(.seconds(Int64.max)) > LoopTimers.now())
    }

    @Test func readingsOfTheClockBecomeDurations() {
        #expect(LoopTimers.duration(from: 1_000, to: 3_500) == .nanoseconds(2_500))
        #expect(LoopTimers.duration(from: 3_500, to: 1_000) == .zero, "a deadline already passed leaves nothing")
    }
}
