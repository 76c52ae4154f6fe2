import Foundation

// Waiting, with a deadline, for something to happen: the one way the suites wait.
//
// A test never sleeps for things to settle. It names the condition it waits for and how long it
// is prepared to wait, and asserts on the result at its own line:
//
//     #expect(await waitFor { harness.count("alpha") == 5 }, "every request reached the provider")
//     let reply = try #require(await waitFor { socket.messages.first { $0.contains(#""id":7"#) } })
//     #expect(waitForBlocking(within: .seconds(5)) { server.statistics().openHTTPConnections == 0 })
//
// The condition (a `Bool`, or a value that is `nil` until it is there) is checked at once, then
// after pauses that start at 1 ms and double up to 10 ms, until it holds or `within` (10 s unless
// told) has passed; it is always checked once more at the deadline. The result is `false` (or
// `nil`) only when the deadline passed first, so `#expect` and `#require` turn a timeout into a
// failure at the caller's line. The deadline is a guard against hanging, not a claim about speed:
// a test that asserts a bound on time says so with its own `within`.
//
// `waitFor` suspends between looks (its thread serves other tasks meanwhile). `waitForBlocking`
// pauses its thread, for code that cannot suspend: a synchronous test body (the transport suites,
// serialized so that they block one pool thread at most) or a scripted peer's thread. The two
// have different names because an async caller passing a synchronous closure would otherwise get
// the blocking one. Both follow one `Patience`.

/// Waits until `condition` holds; false if `within` passed first.
public func waitFor(within limit: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    try await waitFor(within: limit) { try await condition() ? true : nil } != nil
}

/// Waits until `probe` returns a value and returns it; nil if `within` passed first.
public func waitFor<Value>(within limit: Duration = .seconds(10), _ probe: () async throws -> Value?) async rethrows -> Value? {
    var patience = Patience(limit)
    while true {
        if let value = try await probe() { return value }
        guard let pause = patience.nextPause() else { return nil }
        try? await Task.sleep(for: pause)
    }
}

/// Blocks until `condition` holds; false if `within` passed first.
public func waitForBlocking(within limit: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    try waitForBlocking(within: limit) { try condition() ? true : nil } != nil
}

/// Blocks until `probe` returns a value and returns it; nil if `within` passed first.
public func waitForBlocking<Value>(within limit: Duration = .seconds(10), _ probe: () throws -> Value?) rethrows -> Value? {
    var patience = Patience(limit)
    while true {
        if let value = try probe() { return value }
        guard let pause = patience.nextPause() else { return nil }
        Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
    }
}

/// When a waiter looks again: soon at first (most conditions hold within a few milliseconds),
/// then every 10 ms, and once more at the deadline.
struct Patience {
    private let clock = ContinuousClock()
    private let deadline: ContinuousClock.Instant
    private var interval = Duration.milliseconds(1)
    private var lastLook = false

    init(_ limit: Duration) {
        deadline = clock.now + limit
    }

    /// How long to pause before the next look; nil when the last look was at the deadline.
    mutating func nextPause() -> Duration? {
        if lastLook { return nil }
        let remaining = deadline - clock.now
        guard remaining > .zero else { return nil }
        let pause = min(interval, remaining)
        if pause == remaining { lastLook = true }
        interval = min(interval * 2, .milliseconds(10))
        return pause
    }
}
