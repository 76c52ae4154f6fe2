import Synchronization
@testable import Lasso

/// A `LogSink` that keeps every line in memory, for asserting on exactly what was logged.
final class CapturingLogSink: LogSink {
    private let captured = Mutex<[String]>([])

    var lines: [String] { captured.withLock { $0 } }

    func write(_ line: [UInt8]) {
        captured.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
    }

    func flush() {}
}

/// Hands out the given values in order, then repeats the last; for injected random draws.
final class ScriptedDraws: Sendable {
    private let remaining: Mutex<[UInt64]>

    init(_ values: [UInt64]) {
        remaining = Mutex(values)
    }

    func next() -> UInt64 {
        remaining.withLock { values in values.count > 1 ? values.removeFirst() : values.first ?? 0 }
    }
}
