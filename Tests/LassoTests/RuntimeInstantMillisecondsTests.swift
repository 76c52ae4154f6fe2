import Testing
@testable import Lasso
import Supervision

@Suite("RuntimeInstant in milliseconds")
struct RuntimeInstantMillisecondsTests {
    @Test("advancing saturates at the largest instant instead of trapping")
    func saturatingAdvance() {
        let largest = RuntimeInstant(nanoseconds: .max)
        let nearEnd = RuntimeInstant(nanoseconds: UInt64.max - 5_000_000)
        #expect(nearEnd.advanced(byMilliseconds: 10) == largest)
        #expect(RuntimeInstant(milliseconds: UInt64.max - 5) == largest, "a millisecond count too large for nanoseconds")
        #expect(RuntimeInstant(milliseconds: 5).advanced(byMilliseconds: 10).milliseconds == 15)
        #expect(RuntimeInstant(milliseconds: 5).advanced(byMilliseconds: UInt64.max) == largest)
    }

    @Test("elapsed time is zero, not negative, when the other instant is later")
    func elapsed() {
        let early = RuntimeInstant(milliseconds: 100)
        let late = RuntimeInstant(milliseconds: 250)
        #expect(late.milliseconds(since: early) == 150)
        #expect(early.milliseconds(since: late) == 0)
        #expect(early < late)
    }

    @Test("a clock reading keeps its nanoseconds; milliseconds are whole ones")
    func precision() {
        let reading = RuntimeInstant(nanoseconds: 1_999_999)
        #expect(reading.milliseconds == 1)
        #expect(reading.advanced(byMilliseconds: 1).nanoseconds == 2_999_999)
        #expect(RuntimeInstant(nanoseconds: 2_999_999).milliseconds(since: RuntimeInstant(milliseconds: 1)) == 1)
    }
}
