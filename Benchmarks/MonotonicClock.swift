import Glibc

/// `CLOCK_MONOTONIC` in nanoseconds: the one clock two processes on the same machine share, so
/// a time taken by the benchmark (an upstream frame sent) and one taken by its child (a client
/// frame received) can be subtracted. Swift's clocks do not promise which kernel clock they read.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
