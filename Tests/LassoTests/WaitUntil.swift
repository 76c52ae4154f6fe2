import Testing

struct WaitTimedOut: Error {}

/// Waits until `condition` holds, checking after each scheduler turn; records an issue and
/// throws after `deadline` of real time. For state that no event announces.
func waitUntil(deadline: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
               _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let limit = clock.now + deadline
    while try await !condition() {
        if clock.now > limit {
            Issue.record("condition not met within \(deadline)", sourceLocation: sourceLocation)
            throw WaitTimedOut()
        }
        await Task.yield()
    }
}
