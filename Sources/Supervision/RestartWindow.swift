/// One supervisor's restart window: the restarts it counted within the last `intensity.period`,
/// across all its children (OTP keeps them in the supervisor's `restarts` field).
struct RestartWindow: Sendable, Equatable {
    let intensity: RestartIntensity
    /// Oldest first; only what is still inside the window after the last restart.
    private(set) var restarts: [RuntimeInstant] = []

    init(_ intensity: RestartIntensity) {
        self.intensity = intensity
    }

    /// Counts a restart at `now`. `false` when it exceeds the intensity: the supervisor gives up.
    mutating func admit(at now: RuntimeInstant) -> Bool {
        intensity.recordRestart(at: now, in: &restarts)
    }
}
