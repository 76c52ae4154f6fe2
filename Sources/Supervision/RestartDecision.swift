/// What a supervisor does about one child: the restart core both `Supervisor` and
/// `DynamicSupervisor` run, as pure functions of plain values (OTP's `do_restart`, which reads
/// the restart type, and `add_restart`, which keeps the window).
///
/// Two moments ask for a decision: a child exited (`afterExit`), or a restart that could not
/// start the child is due again (`retry`). Either way a restart is counted in the window before
/// anything is started, so failing restarts escalate like crashing children do.
///
/// Worked example, intensity 1 in 5 s, a permanent child without backoff, clock in seconds:
/// - it crashes at 10 → `.restartNow` (window [10]);
/// - it crashes at 12 → `.giveUp` (window [10, 12]: two restarts within 5 s);
/// - had it crashed at 16 instead → `.restartNow` (10 left the window; window [16]).
/// With `RestartBackoff(initial: 1 s, jitter: 0)`, the same first crash gives
/// `.restartLater(1 s)`: counted now, started when the delay ends.
enum RestartDecision: Sendable, Equatable {
    /// Run the restart strategy now.
    case restartNow
    /// Run the restart strategy after this backoff delay; the restart is already counted.
    case restartLater(Duration)
    /// Do not restart. `deleteSpec`: the child's spec goes too (a temporary child); otherwise
    /// it stays, not running (a transient child after a normal exit).
    case leave(deleteSpec: Bool)
    /// The restart exceeds the intensity: stop every child and exit with `giveUpReason`.
    case giveUp

    /// The exit reason of a supervisor that gave up (OTP's `reached_max_restart_intensity`,
    /// a `shutdown`, so a transient parent does not restart it).
    static let giveUpReason = ExitReason.shutdown("reached_max_restart_intensity")

    /// A child with restart type `restart` exited with `reason` after running for `uptime`.
    ///
    /// `attempt` is the child's backoff attempt (consecutive quick restarts); it moves on here
    /// when the child is to restart. `random` is a uniform sample in 0..<1 for the backoff's
    /// jitter, drawn only when the child has a backoff.
    static func afterExit(restart: RestartType, reason: ExitReason, uptime: Duration,
                          backoff: RestartBackoff?, attempt: inout Int,
                          window: inout RestartWindow, now: RuntimeInstant,
                          random: () -> Double) -> RestartDecision {
        switch restart {
        case .temporary:
            return .leave(deleteSpec: true)
        case .transient where reason.isNormal:
            return .leave(deleteSpec: false)
        case .permanent, .transient:
            if let backoff { attempt = backoff.nextAttempt(previous: attempt, uptime: uptime) }
            return retry(backoff: backoff, attempt: attempt, window: &window, now: now, random: random)
        }
    }

    /// A restart is due (after an exit, or again after a start that failed): count it, then
    /// restart now or after the backoff for `attempt`.
    static func retry(backoff: RestartBackoff?, attempt: Int, window: inout RestartWindow,
                      now: RuntimeInstant, random: () -> Double) -> RestartDecision {
        guard window.admit(at: now) else { return .giveUp }
        guard let backoff else { return .restartNow }
        let delay = backoff.delay(attempt: attempt, random: random())
        return delay > .zero ? .restartLater(delay) : .restartNow
    }
}
