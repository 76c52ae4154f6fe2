import Foundation

/// The lines a child process prints, read by a thread of their own and handed out with a
/// deadline, so a benchmark can wait for "subscribed …" without blocking one of the cooperative
/// pool's few threads and without hanging forever on a child that stopped talking.
final class ChildLines: @unchecked Sendable {
    // @unchecked: `lines` and `finished` are only touched under `condition`.
    private let condition = NSCondition()
    private var lines: [String] = []
    private var finished = false

    init(_ output: FileHandle) {
        Thread { [self] in
            var pending = Data()
            while true {
                let chunk = output.availableData
                condition.lock()
                if chunk.isEmpty {
                    finished = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
                condition.broadcast()
                condition.unlock()
            }
        }.start()
    }

    /// The next line starting with `prefix` (others are skipped), or nil when the child's
    /// output ends or `seconds` pass first.
    func next(startingWith prefix: String, within seconds: Double) -> String? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            while !lines.isEmpty {
                let line = lines.removeFirst()
                if line.hasPrefix(prefix) { return line }
            }
            if finished || !condition.wait(until: deadline) { return nil }
        }
    }
}
