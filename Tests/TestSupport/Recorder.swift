import Dispatch
import Foundation
import Synchronization

/// Collects values from callbacks on other threads and lets a test wait, with a deadline, until
/// a condition over everything seen so far holds.
public final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    private let signal = DispatchSemaphore(value: 0)

    public init() {}

    public func record(_ value: Value) {
        values.withLock { $0.append(value) }
        signal.signal()
    }

    public var all: [Value] { values.withLock { $0 } }

    /// Waits until `condition` holds for the recorded values; false at the deadline.
    @discardableResult
    public func wait(seconds: Double = 10, until condition: ([Value]) -> Bool) -> Bool {
        let deadline = DispatchTime.now() + seconds
        while true {
            if condition(all) { return true }
            if signal.wait(timeout: deadline) == .timedOut { return condition(all) }
        }
    }

    /// Waits for a value matching `predicate` and returns the first one.
    public func first(seconds: Double = 10, where predicate: @escaping (Value) -> Bool) -> Value? {
        wait(seconds: seconds) { $0.contains(where: predicate) }
        return all.first(where: predicate)
    }
}
