import Foundation

// The tests that measure, or use up, what the whole process shares: its open descriptors, its
// resident memory, its open-file limit, its loop threads' CPU time, and latencies that only mean
// something on an otherwise idle machine. A test running beside them would disturb what they
// measure (or fail for want of descriptors), so `make test` runs this target on its own, in a
// process of its own, one test at a time, after the parallel run of every other target:
//
//     swift test --skip-build --skip '^ProcessWideTests\.'                  # the rest, in parallel
//     swift test --skip-build --filter '^ProcessWideTests\.' --no-parallel  # these, alone
//
// A test belongs here when it reads /proc/self, counts against RLIMIT_NOFILE, or asserts a
// latency; everywhere else, what a test checks belongs to the objects it created.

/// Open file descriptors of this process.
func openFileCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// The open descriptors with what each points at (`socket:[…]`, a path, `anon_inode:…`), to
/// name what a leak check found.
func openFiles() -> [String: String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    var files: [String: String] = [:]
    for name in names {
        files[name] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")) ?? "?"
    }
    return files
}

/// This process's resident memory (VmRSS).
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes << 10
}
