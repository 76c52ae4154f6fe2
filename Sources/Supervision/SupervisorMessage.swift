/// What a supervisor process sends itself, or receives from its children's monitors; `Key` is
/// how it finds a child (`Supervisor`: the id; `DynamicSupervisor`: a slot number).
enum SupervisorMessage<Key: Sendable>: Sendable {
    /// A child's process exited (from the monitor set when it started).
    case childExited(pid: PID, reason: ExitReason)
    /// A restart whose start failed is due again.
    case retryRestart(Key)
    /// A child's backoff delay has passed: start it now.
    case backoffElapsed(Key)
}
