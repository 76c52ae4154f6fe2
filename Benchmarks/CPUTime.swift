import Foundation

/// CPU time (user + system) consumed so far, read from `/proc`, so a benchmark can show how
/// busy each party was during a run: when the proxy is at 100 % of a core and the upstream at
/// 12 %, the proxy is the bottleneck, not the upstream.
enum CPUTime {
    enum Subject: Sendable {
        /// This process: lassod in-process, plus the benchmark's idle waiting threads.
        case thisProcess
        /// A process and its direct children (nginx's master and workers; the upstream).
        case processTree(Int32)
    }

    static func seconds(_ subject: Subject) -> Double {
        let ticks: Int
        switch subject {
        case .thisProcess:
            ticks = stat("self")?.ticks ?? 0
        case .processTree(let root):
            var total = stat(String(root))?.ticks ?? 0
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries where entry.first?.isNumber == true {
                if let child = stat(entry), child.parent == root { total += child.ticks }
            }
            ticks = total
        }
        return Double(ticks) / Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
    }

    /// The parent pid and utime + stime of `/proc/<name>/stat`. Fields are counted after the
    /// `)` closing the command name, which may itself contain spaces.
    private static func stat(_ name: String) -> (parent: Int32, ticks: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of stat(5)); ppid is field 4, utime 14, stime 15.
        guard fields.count > 12, let parent = Int32(fields[1]), let user = Int(fields[11]), let system = Int(fields[12])
        else { return nil }
        return (parent, user + system)
    }
}
