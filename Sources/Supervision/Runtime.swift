/// The context every process runs in: the clock for all timing rules and the event stream that
/// logs, the admin socket and the dashboard consume.
///
/// Production code uses `Runtime.shared`; tests make their own with a `ManualClock`:
/// ```swift
/// let clock = ManualClock()
/// let runtime = Runtime(clock: clock)
/// let sup = try await Supervisor.start(name: "Test", children: specs, runtime: runtime)
/// clock.advance(by: .seconds(6))   // the restart window slides, deterministically
/// ```
public final class Runtime: Sendable {
    public let clock: any RuntimeClock
    public let events: SupervisionEvents

    /// Defaults for `call` timeouts (5 s, Elixir's).
    public let defaultCallTimeout: Duration

    public init(clock: any RuntimeClock = SystemClock.shared, defaultCallTimeout: Duration = .seconds(5)) {
        self.clock = clock
        self.events = SupervisionEvents(clock: clock)
        self.defaultCallTimeout = defaultCallTimeout
    }

    /// The runtime of the daemon: system clock, one event stream.
    public static let shared = Runtime()
}
