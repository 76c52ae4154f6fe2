import Testing
@testable import Supervision

/// A server whose calls answer different types.
struct Ledger: GenServer {
    struct Refused: Error {}
    var entries: [String] = []
    mutating func record(_ entry: String) -> Int { entries.append(entry); return entries.count }
}
extension ServerCall where Server == Ledger {
    static func record(_ entry: String) -> ServerCall<Ledger, Int> { .init { ledger, _ in ledger.record(entry) } }
    static var entries: ServerCall<Ledger, [String]> { .init { ledger, _ in ledger.entries } }
    static var refuse: ServerCall<Ledger, Void> { .init { _, _ in throw Ledger.Refused() } }
    static func sleep(_ delay: Duration) -> ServerCall<Ledger, Void> {
        .init { _, _ in try await Task.sleep(for: delay) }
    }
}

@Suite struct ServerCallTests {
    @Test func eachCallAnswersItsOwnTypeInMailboxOrder() async throws {
        let (runtime, _, _) = makeRuntime()
        let ledger = try await ServerRef.start(label: "Ledger", runtime: runtime) { Ledger() }
        let count: Int = try await ledger.call(.record("a"))
        #expect(count == 1)
        _ = try await ledger.call(.record("b"))
        let entries: [String] = try await ledger.call(.entries)
        #expect(entries == ["a", "b"])
    }

    @Test func aHandlerThatThrowsEndsTheProcessAndTheCallerGetsTheExit() async throws {
        let (runtime, _, _) = makeRuntime()
        let ledger = try await ServerRef.start(label: "Ledger", runtime: runtime) { Ledger() }
        let error = await #expect(throws: CallError.self) { try await ledger.call(.refuse) }
        guard case .exited(.failed)? = error else {
            Issue.record("expected exited(failed), got \(String(describing: error))")
            return
        }
        await #expect(throws: CallError.noProcess) { try await ledger.call(.entries) }
    }

    @Test func aTypedCallTimesOutOnTheRuntimeClock() async throws {
        let (runtime, clock, _) = makeRuntime()
        let ledger = try await ServerRef.start(label: "Ledger", runtime: runtime) { Ledger() }
        let slow = Task { try await ledger.call(.sleep(.seconds(3600)), timeout: .seconds(1)) }
        await clock.waitForTimer(dueWithin: .seconds(1))
        clock.advance(by: .seconds(1))
        await #expect(throws: CallError.timeout) { try await slow.value }
        ledger.stop(.shutdown(nil))
        #expect(await ledger.process.waitForExit() == .shutdown(nil))
    }
}
