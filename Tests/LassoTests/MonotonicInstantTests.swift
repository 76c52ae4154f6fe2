import Testing
@testable import Lasso

@Suite("MonotonicInstant")
struct MonotonicInstantTests {
    @Test("advancing saturates at the largest instant instead of trapping")
    func saturatingAdvance() {
        let nearEnd = MonotonicInstant(milliseconds: UInt64.max - 5)
        #expect(nearEnd.advanced(byMilliseconds: 10).milliseconds == UInt64.max)
        #expect(MonotonicInstant(milliseconds: 5).advanced(byMilliseconds: 10).milliseconds == 15)
    }

    @Test("elapsed time is zero, not negative, when the other instant is later")
    func elapsed() {
        let early = MonotonicInstant(milliseconds: 100)
        let late = MonotonicInstant(milliseconds: 250)
        #expect(late.milliseconds(since: early) == 150)
        #expect(early.milliseconds(since: late) == 0)
        #expect(early < late)
    }
}
