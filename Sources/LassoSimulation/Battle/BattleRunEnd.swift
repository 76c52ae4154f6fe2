import Synchronization

extension Battle {
    /// When the run's load stops, in milliseconds on the run's clock: the scenario's duration,
    /// stretched when the host stalled a fault past its planned instant. A fault that came late
    /// keeps the share of the run its scenario gave it, so the requests after it are still
    /// measured (a kill planned at 4.7 s of a 6 s run that a stalled host fired at 7 s would
    /// otherwise land after the load and disturb nothing).
    final class RunEnd: Sendable {
        private let durationMs: Double
        private let endMs: Mutex<Double>

        init(durationMs: Int) {
            self.durationMs = Double(durationMs)
            endMs = Mutex(Double(durationMs))
        }

        var ms: Double { endMs.withLock { $0 } }

        /// A fault planned at `plannedMs` came at `firedMs`: the load runs that much longer.
        func faultFired(plannedMs: Double, firedMs: Double) {
            let late = firedMs - plannedMs
            guard late > 0 else { return }
            endMs.withLock { $0 = max($0, durationMs + late) }
        }
    }
}
