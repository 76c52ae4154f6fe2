import Foundation

/// The process's open-file limit (`RLIMIT_NOFILE`), which caps concurrent connections.
///
/// libwebsockets sizes its connection table from the soft limit when a context is created, so
/// the limit has to be raised before the first ``EventLoop`` starts. Public for load generators
/// (`lasso-bench ws-load`) that hold thousands of plain sockets without a loop.
public enum OpenFileLimit {
    /// The soft limit in force now.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft limit towards `wanted` (never above the hard limit, never lowers it) and
    /// returns the soft limit now in force.
    @discardableResult
    public static func raise(to wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wantedLimit = rlim_t(max(wanted, 0))
        if wantedLimit > limit.rlim_max {
            // Raising the hard limit needs privilege (root, as lassod often runs under a service
            // manager); without it, settle for the hard limit below.
            var raised = limit
            raised.rlim_cur = wantedLimit
            raised.rlim_max = wantedLimit
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(clamping: wantedLimit) }
        }
        let target = min(wantedLimit, limit.rlim_max)
        if target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
