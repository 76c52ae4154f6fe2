/// The context every process runs in: the clock for all timing rules, the event stream that
/// lassod's log and dashboard (and `supervision-trace`) consume, and the executor the handlers
/// run on.
///
/// Production code uses `Runtime.shared`; tests make their own with a `ManualClock`, so that
/// timeouts, backoffs and restart windows move only when the test says:
/// ```swift
/// let clock = ManualClock()
/// let runtime = Runtime(clock: clock)
/// let tree = try await Supervisor.start(name: "Test", children: [spec], runtime: runtime)
/// clock.advance(by: .seconds(6))   // due timers fire and restart windows slide, deterministically
/// ```
/// (`spec` is `ChildSpec`'s example; compiled and run by `SupervisionTests/DocExampleTests`.)
public final class Runtime: Sendable {
    public let clock: any RuntimeClock
    public let events: SupervisionEvents
    /// Where the processes' handlers run.
    public let executor: RuntimeExecutor

    /// Defaults for `call` timeouts (5 s, Elixir's).
    public let defaultCallTimeout: Duration

    public init(clock: any RuntimeClock = SystemClock.shared, defaultCallTimeout: Duration = .seconds(5),
                executor: RuntimeExecutor = .shared) {
        self.clock = clock
        self.events = SupervisionEvents(clock: clock)
        self.defaultCallTimeout = defaultCallTimeout
        self.executor = executor
    }

    /// The runtime of the daemon: system clock, one event stream.
    public static let shared = Runtime()
}
