import Foundation

// Where the fuzzer's `Duration`s meet C: a socket timeout (`setsockopt` takes a `timeval`) and
// a pause of a plain thread (`nanosleep`). Attackers and hostile upstreams run on threads of
// their own, never on the cooperative pool, so blocking them is what they are for.

extension Duration {
    /// This duration as a socket timeout. At least a microsecond: a zero `timeval` would mean
    /// no timeout at all, and every fuzz socket must give up eventually.
    var socketTimeout: timeval {
        guard self > .microseconds(1) else { return timeval(tv_sec: 0, tv_usec: 1) }
        let (seconds, attoseconds) = components
        return timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}

extension Thread {
    /// Blocks the calling thread for `duration` (nothing for zero or less).
    static func block(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, duration > .zero else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
