import Synchronization

/// Collects values from callbacks on other threads (a server's handlers, a client's events), in
/// order, for a test to assert on or wait for.
public final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    public init() {}

    public func record(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    /// Everything recorded so far, oldest first.
    public var all: [Value] { values.withLock { $0 } }

    /// Blocks until a value matching `predicate` was recorded and returns the first one; nil
    /// after `within` (`waitForBlocking`).
    public func first(within limit: Duration = .seconds(10), where predicate: (Value) -> Bool) -> Value? {
        waitForBlocking(within: limit) { all.first(where: predicate) }
    }

    /// Waits (`waitFor`, suspending) until a value matching `predicate` was recorded and returns
    /// the first one; nil after `within`.
    public func first(within limit: Duration = .seconds(10), where predicate: (Value) -> Bool) async -> Value? {
        await waitFor(within: limit) { all.first(where: predicate) }
    }
}

/// An ordered record of what happened, as lines ("a:init", "b:terminate", …).
public typealias Journal = Recorder<String>
